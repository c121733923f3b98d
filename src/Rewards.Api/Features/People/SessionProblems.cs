using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.People;

/// <summary>401 of the sign-in: the credentials are wrong (the same answer for an unknown address and a wrong password).</summary>
public sealed class UnauthorizedProblem(string detail) : StatusProblem(
    TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in refused")), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status401Unauthorized);
}

/// <summary>429 of the sign-in, with Retry-After: the account is locked, or the address or account spent its failure budget.</summary>
public sealed class TooManyAttemptsProblem : StatusProblem, IEndpointMetadataProvider
{
    public TooManyAttemptsProblem(HttpContext http, TimeSpan retryAfter, string detail)
        : base(TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed attempts")) =>
        http.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status429TooManyRequests);
}
