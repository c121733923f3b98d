using System.Security.Claims;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using Rewards.Api.Features.Clients;
using Rewards.Api.Features.Members;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Rewards.Api.Infrastructure.Auth;

/// <summary>
/// The member grant (our documented extension grant, see docs/auth.md): a program client holding
/// rewards.activities exchanges its own credentials plus <c>member_id</c> for a short-lived token whose subject is the member.
/// </summary>
public static class MemberGrant
{
    public const string Type = "urn:rewards:grant-type:member";
    public const string MemberIdParameter = "member_id";
}

/// <summary>What a validated token request grants; carried from validation to sign-in in the OpenIddict transaction.</summary>
public sealed record TokenGrant(string Subject, string ClientId, string? ProgramId, IReadOnlyList<string> Scopes, TimeSpan? Lifetime)
{
    public const string PropertyName = "rewards:grant";
}

/// <summary>
/// Authenticates clients against the configured admin client or the Redis client records (OpenIddict runs in degraded
/// mode: no EF Core stores) and decides the scopes of the token.
/// </summary>
public sealed class ValidateTokenRequest(ClientStore clients, MemberStore members, IOptions<AdminOptions> admin, IOptions<AuthOptions> auth)
    : IOpenIddictServerHandler<ValidateTokenRequestContext>
{
    public async ValueTask HandleAsync(ValidateTokenRequestContext context)
    {
        var request = context.Request;
        if (string.IsNullOrEmpty(request.ClientId) || string.IsNullOrEmpty(request.ClientSecret))
        {
            context.Reject(OpenIddictConstants.Errors.InvalidClient, "Client credentials are required (client_secret_basic or client_secret_post).");
            return;
        }

        var caller = await AuthenticateAsync(request.ClientId, request.ClientSecret);
        if (caller is null)
        {
            context.Reject(OpenIddictConstants.Errors.InvalidClient, "Unknown client, wrong secret, or revoked client.");
            return;
        }

        var requested = request.GetScopes();
        TokenGrant grant;
        if (request.IsClientCredentialsGrantType())
        {
            var scopes = requested.IsEmpty ? caller.Scopes : [.. requested];
            if (scopes.Except(caller.Scopes).Any())
            {
                context.Reject(OpenIddictConstants.Errors.InvalidScope, $"This client may request only: {string.Join(' ', caller.Scopes)}.");
                return;
            }
            grant = new TokenGrant(caller.ClientId, caller.ClientId, caller.ProgramId, scopes, null);
        }
        else if (request.GrantType == MemberGrant.Type)
        {
            if (caller.ProgramId is null || !caller.Scopes.Contains(Scopes.Activities))
            {
                context.Reject(OpenIddictConstants.Errors.UnauthorizedClient, $"Only a program client holding {Scopes.Activities} may obtain member tokens.");
                return;
            }
            if (!requested.IsEmpty && requested.Any(s => s != Scopes.Member))
            {
                context.Reject(OpenIddictConstants.Errors.InvalidScope, $"Member tokens carry the {Scopes.Member} scope only.");
                return;
            }
            var memberId = (string?)request[MemberGrant.MemberIdParameter];
            var member = Ids.IsValidId(memberId) ? await members.FindAsync(caller.ProgramId, memberId!) : null;
            if (member is not { Status: Features.Members.MemberStatus.Active })
            {
                context.Reject(OpenIddictConstants.Errors.InvalidGrant, "member_id does not name an active member of this client's program.");
                return;
            }
            grant = new TokenGrant(memberId!, caller.ClientId, caller.ProgramId, [Scopes.Member], auth.Value.MemberTokenLifetime);
        }
        else
        {
            context.Reject(OpenIddictConstants.Errors.UnsupportedGrantType, "Supported grants: client_credentials and " + MemberGrant.Type + ".");
            return;
        }
        context.Transaction.Properties[TokenGrant.PropertyName] = grant;
    }

    private sealed record Caller(string ClientId, string? ProgramId, IReadOnlyList<string> Scopes);

    private async Task<Caller?> AuthenticateAsync(string clientId, string secret)
    {
        var operator_ = admin.Value;
        if (operator_.IsConfigured && clientId == operator_.ClientId)
        {
            return ClientStore.SecretsEqual(ClientStore.HashSecret(secret), ClientStore.HashSecret(operator_.ClientSecret!))
                ? new Caller(clientId, null, [Scopes.Admin])
                : null;
        }
        var client = await clients.AuthenticateAsync(clientId, secret);
        return client is { IsRevoked: false } ? new Caller(client.ClientId, client.ProgramId, client.Scopes) : null;
    }
}

/// <summary>Turns a validated grant into the access token's principal.</summary>
public sealed class HandleTokenRequest : IOpenIddictServerHandler<HandleTokenRequestContext>
{
    public const string Audience = "rewards-api";

    public ValueTask HandleAsync(HandleTokenRequestContext context)
    {
        var grant = (TokenGrant)context.Transaction.Properties[TokenGrant.PropertyName]!;
        var identity = new ClaimsIdentity("rewards", Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, grant.Subject);
        identity.SetClaim(Claims.ClientId, grant.ClientId);
        if (grant.ProgramId is not null)
        {
            identity.SetClaim(RewardsClaims.Program, grant.ProgramId);
        }
        identity.SetScopes(grant.Scopes);
        identity.SetAudiences(Audience);
        if (grant.Lifetime is { } lifetime)
        {
            identity.SetAccessTokenLifetime(lifetime);
        }
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        context.SignIn(new ClaimsPrincipal(identity));
        return default;
    }
}
