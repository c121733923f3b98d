using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Abstractions;

namespace Rewards.Api.Infrastructure.Auth;

/// <summary>
/// The token holds one of the scopes (rewards.admin always qualifies); a console session holds them through the person's role
/// in the route's program (<see cref="RewardsClaims.ProgramScope"/>), so the same policies govern tokens and sessions.
/// </summary>
public sealed record ScopeRequirement(string[] AnyOf) : IAuthorizationRequirement;

public sealed class ScopeHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var user = context.User;
        if (requirement.AnyOf.Any(user.HasScope)
            || (user.PersonOf() is not null && context.Resource is HttpContext http && http.GetRouteValue("programId") is string program
                && requirement.AnyOf.Any(scope => user.HasProgramScope(program, scope))))
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// Tenancy: a program client's token opens only its own program's routes, and a member token only its own member's.
/// Failing this answers 404, as if the resource did not exist, so that program and member ids do not leak.
/// </summary>
public sealed class ProgramAccessRequirement : IAuthorizationRequirement
{
    public static readonly ProgramAccessRequirement Instance = new();
}

public sealed class ProgramAccessHandler : AuthorizationHandler<ProgramAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ProgramAccessRequirement requirement)
    {
        var user = context.User;
        if (user.IsAdmin())
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
        if (context.Resource is not HttpContext http)
        {
            return Task.CompletedTask; // nothing to check the program against: fail closed
        }
        // Routes outside any program (POST /v1/programs) are governed by their scope alone.
        var program = http.GetRouteValue("programId") as string;
        var ownProgram = program is null || program == user.ProgramOf() || (user.PersonOf() is not null && user.HasRoleIn(program));
        var ownMember = !user.IsMemberToken() || http.GetRouteValue("memberId") is not string member
            || member == user.GetClaim(OpenIddictConstants.Claims.Subject);
        if (ownProgram && ownMember)
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}

/// <summary>401 and 403 as usual (problem bodies come from the status code pages); tenancy failures become 404.</summary>
public sealed class TenancyAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ProgramAccessRequirement>().Any() == true)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails { Status = 404, Title = "Not found", Detail = "No such resource." },
            });
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}

/// <summary>A console person is signed in (session cookie): routes about the person themselves (/v1/me, sign-out).</summary>
public sealed class PersonRequirement : IAuthorizationRequirement
{
    public static readonly PersonRequirement Instance = new();
}

public sealed class PersonHandler : AuthorizationHandler<PersonRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PersonRequirement requirement)
    {
        if (context.User.PersonOf() is not null)
        {
            context.Succeed(requirement);
        }
        return Task.CompletedTask;
    }
}
