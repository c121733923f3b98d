using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Rewards.Api.Infrastructure.Auth;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Rewards.Api.Infrastructure.OpenApi;

public static class OpenApiSetup
{
    public const string DocumentName = "v1";
    public const string SecuritySchemeName = "oauth2";
    public const string SessionSchemeName = "session";

    public static IServiceCollection AddRewardsOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "Rewards API",
                Version = "v1",
                Description = "Gamified loyalty and member rewards: points, leaderboards, tiers, badges and member-only perks. " +
                    $"Every /v1 operation needs a bearer token from `POST {AuthSetup.TokenPath}` holding one of the scopes it lists.",
            });
            o.SupportNonNullableReferenceTypes();
            // Domain codes (Infrastructure/Codes/WireCode.cs) appear as string enums of their wire values, inline so that a
            // nullable one (an activity's reason) keeps its nullable flag, which a $ref cannot carry in OpenAPI 3.0.
            o.UseInlineDefinitionsForEnums();
            o.AddSecurityDefinition(SecuritySchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = "OAuth2 client credentials. Member tokens use the grant " + MemberGrant.Type + " (see docs/auth.md).",
                Flows = new OpenApiOAuthFlows
                {
                    ClientCredentials = new OpenApiOAuthFlow
                    {
                        TokenUrl = new Uri(AuthSetup.TokenPath, UriKind.Relative),
                        Scopes = Scopes.Descriptions.ToDictionary(),
                    },
                },
            });
            o.AddSecurityDefinition(SessionSchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Cookie,
                Name = "__Host-rewards-session",
                Description = "The console's session cookie (POST /v1/session; `rewards-session` in Development). It stands for the person's " +
                    "role scopes in each of their programs (docs/auth.md); state-changing requests also send the X-CSRF-Token header.",
            });
            o.DocumentFilter<Features.Events.EventSchemasFilter>();
            o.OperationFilter<DocumentedRequestBodyFilter>();
            o.OperationFilter<ScopesOperationFilter>();
            o.OperationFilter<RequestExamples.Filter>();
            o.OperationFilter<RequestExamples.RequiredHeadersFilter>();
            o.SchemaFilter<WireValuesSchemaFilter>();
            o.SchemaFilter<RequestExamples.RequiredFieldsFilter>();
        });
        return services;
    }

    public static WebApplication UseRewardsOpenApi(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "Rewards API v1");
            o.DocumentTitle = "Rewards API";
        });
        return app;
    }

    /// <summary>Writes the request body of an operation that reads its body itself (<see cref="DocumentedRequestBody"/>).</summary>
    private sealed class DocumentedRequestBodyFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<DocumentedRequestBody>().FirstOrDefault() is { } body)
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Content = new Dictionary<string, IOpenApiMediaType>
                    {
                        [body.ContentType] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(body.Schema, context.SchemaRepository) },
                    },
                };
            }
        }
    }

    /// <summary>Request strings that take a code set's values list them as their enum (see <see cref="WireValuesAttribute"/>).</summary>
    private sealed class WireValuesSchemaFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            var attributes = context.MemberInfo?.GetCustomAttributes(typeof(WireValuesAttribute), inherit: false)
                ?? context.ParameterInfo?.GetCustomAttributes(typeof(WireValuesAttribute), inherit: false);
            if (attributes?.FirstOrDefault() is WireValuesAttribute values
                && schema is OpenApiSchema concrete)
            {
                concrete.Enum = [.. values.Values.Select(v => (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(v))];
            }
        }
    }

    /// <summary>
    /// Lists on each operation the scopes its authorization policy accepts, and the answers of the layers in front of every
    /// handler: 401/403 (auth), 429 (rate limit), 413 and 415 (body size and media type, for operations that take a body). The handlers' own answers
    /// are declared by their typed results (Infrastructure/Errors/ProblemResults.cs).
    /// </summary>
    private sealed class ScopesOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var policies = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>()
                .Select(a => a.Policy)
                .OfType<string>()
                .ToList();
            var scopes = policies
                .SelectMany(p => Policies.ScopesOf.TryGetValue(p, out var s) ? s : [])
                .Distinct()
                .Order(StringComparer.Ordinal)
                .ToList();
            var session = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SessionSchemeName, context.Document)] = [] };
            if (policies.Contains(Policies.Person))
            {
                // About the signed-in person: a console session only.
                operation.Security = [session];
            }
            else if (scopes.Count == 0)
            {
                // Anonymous (sign-in, accepting an invitation): no security, but the rate limit and the body limits apply.
                if (context.ApiDescription.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true)
                {
                    operation.Responses ??= new OpenApiResponses();
                    operation.Responses.TryAdd("429", new OpenApiResponse { Description = "The address's rate limit is exceeded (see Retry-After)." });
                    AddBodyLimits(operation, context);
                }
                return;
            }
            else
            {
                // A token holding one of the scopes, or a console session whose role in the program holds one.
                operation.Security =
                [
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = scopes },
                    session,
                ];
            }
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No token, or an invalid, expired or tampered one." });
            operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The token lacks a scope this operation needs." });
            operation.Responses.TryAdd("429", new OpenApiResponse { Description = "The client's rate limit is exceeded (see Retry-After)." });
            AddBodyLimits(operation, context);
        }

        private static void AddBodyLimits(OpenApiOperation operation, OperationFilterContext context)
        {
            if (operation.RequestBody is not null)
            {
                operation.Responses ??= new OpenApiResponses();
                // The body limit HttpSetup enforces: the endpoint's own (activities:batch) or the default; the media type it reads.
                var maxBody = context.ApiDescription.ActionDescriptor.EndpointMetadata
                    .OfType<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>().LastOrDefault()?.MaxRequestBodySize ?? Http.HttpSetup.MaxBodyBytes;
                var mediaType = operation.RequestBody.Content?.Keys.FirstOrDefault() ?? "application/json";
                operation.Responses.TryAdd("413", new OpenApiResponse { Description = $"The request body exceeds {maxBody / 1024:N0} KiB." });
                operation.Responses.TryAdd("415", new OpenApiResponse { Description = $"The body is not {mediaType} (Content-Type)." });
            }
        }
    }
}

/// <summary>
/// The body an endpoint reads itself (from <c>HttpRequest</c>), for the OpenAPI document only: unlike <c>Accepts</c>, it does not
/// make routing refuse other media types, so the handler can answer them with a 415 that names the expected one.
/// </summary>
public sealed record DocumentedRequestBody(Type Schema, string ContentType);
