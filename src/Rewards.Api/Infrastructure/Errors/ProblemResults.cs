using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Rewards.Api.Infrastructure.Errors;

/// <summary>
/// Problem results typed by their status, for <c>Results&lt;...&gt;</c> unions: each declares its status in the endpoint's
/// metadata (so the OpenAPI document lists exactly what a handler can answer) and writes an application/problem+json body
/// like <see cref="ProblemHttpResult"/>, which it wraps. Only statuses that cut across every route (401, 403, 429 from the
/// auth and rate-limit layers; 404 for an unknown program; 413 for an oversized body) are declared elsewhere.
/// </summary>
public abstract class StatusProblem : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<ProblemDetails>, IContentTypeHttpResult
{
    private readonly ProblemHttpResult _problem;

    private protected StatusProblem(ProblemHttpResult problem) => _problem = problem;

    public ProblemDetails Value => _problem.ProblemDetails;

    object? IValueHttpResult.Value => _problem.ProblemDetails;

    public int? StatusCode => _problem.StatusCode;

    public string? ContentType => _problem.ContentType;

    public Task ExecuteAsync(HttpContext httpContext) => _problem.ExecuteAsync(httpContext);

    private protected static void Declare(EndpointBuilder builder, int status) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]));
}

/// <summary>404: the resource the route names does not exist (for this caller).</summary>
public sealed class NotFoundProblem(string detail) : StatusProblem(
    TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found")), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status404NotFound);
}

/// <summary>
/// 409: the request conflicts with the resource's current state, or with a limit it would pass (a program's quota, codes
/// already in a pool): those name their own title, problem type and extensions.
/// </summary>
public sealed class ConflictProblem : StatusProblem, IEndpointMetadataProvider
{
    public ConflictProblem(string detail)
        : base(TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict"))
    {
    }

    public ConflictProblem(string detail, string title, string? type, IDictionary<string, object?> extensions)
        : base(TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: title, type: type, extensions: extensions))
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status409Conflict);
}

/// <summary>410: the resource existed and is no longer available (an expired offer).</summary>
public sealed class GoneProblem(string detail) : StatusProblem(
    TypedResults.Problem(detail, statusCode: StatusCodes.Status410Gone, title: "Gone")), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status410Gone);
}

/// <summary>422: well-formed, but the program's rules refuse it.</summary>
public sealed class UnprocessableProblem(string detail) : StatusProblem(
    TypedResults.Problem(detail, statusCode: StatusCodes.Status422UnprocessableEntity, title: "Unprocessable request")), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status422UnprocessableEntity);
}

/// <summary>415: the body's media type is not the one the endpoint reads (named in the detail).</summary>
public sealed class UnsupportedMediaTypeProblem(string detail) : StatusProblem(
    TypedResults.Problem(detail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type")), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status415UnsupportedMediaType);
}
