using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;

namespace Rewards.Api.Infrastructure.Auth;

/// <summary>
/// `me` in a route's {memberId}: under a member token it stands for the token's member on every member route (profile,
/// ledger, perks, claim, RSVP, news, leaderboard standing), so an app need not know its member id. One rewrite of the route
/// value, after authentication and before authorization, so tenancy checks, handlers and binders all see the real id.
/// With any other token `me` names nobody: 400. Unauthenticated requests pass on and get their 401.
/// </summary>
public static class MemberSelf
{
    public const string Me = "me";

    private const string RouteKey = "memberId";

    public static async Task ResolveMe(HttpContext http, RequestDelegate next)
    {
        if (http.Request.RouteValues.TryGetValue(RouteKey, out var value) && value is Me && http.User.Identity?.IsAuthenticated == true)
        {
            if (http.User.IsMemberToken() && http.User.GetClaim(OpenIddictConstants.Claims.Subject) is { Length: > 0 } subject)
            {
                http.Request.RouteValues[RouteKey] = subject;
            }
            else
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status400BadRequest,
                        Title = "'me' needs a member token",
                        Detail = "'me' in the path stands for the member of a member token; this token is a client's: put the member's id in the path instead.",
                    },
                });
                return;
            }
        }
        await next(http);
    }

    /// <summary>Declares that 400 on every endpoint of the group whose route has a {memberId} (unless its handler declares a 400 already).</summary>
    public static RouteGroupBuilder DeclareMe(this RouteGroupBuilder group)
    {
        ((IEndpointConventionBuilder)group).Finally(builder =>
        {
            if (builder is RouteEndpointBuilder { RoutePattern: var pattern } && pattern.GetParameter(RouteKey) is not null
                && !builder.Metadata.OfType<IProducesResponseTypeMetadata>().Any(m => m.StatusCode == StatusCodes.Status400BadRequest))
            {
                builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(ProblemDetails), ["application/problem+json"]));
            }
        });
        return group;
    }
}
