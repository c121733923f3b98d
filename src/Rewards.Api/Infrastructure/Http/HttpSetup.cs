using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Infrastructure.Http;

public static class HttpSetup
{
    /// <summary>Request bodies above this size are refused with 413 before they are read.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    public static IServiceCollection AddRewardsHttp(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<UnexpectedExceptionHandler>();
        // Unreadable bodies throw, so the one exception handler answers them as problems.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = MaxBodyBytes);
        services.Configure<JsonOptions>(o => Configure(o.SerializerOptions));
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>The same strict options, for JSON the stores keep in Redis (program settings, perks, archives).</summary>
    public static readonly JsonSerializerOptions StoredJson = CreateStoredJson();

    private static JsonSerializerOptions CreateStoredJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }

    /// <summary>Strict JSON: typos in field names and numbers sent as strings are errors, not silently ignored.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    }

    public static WebApplication UseRewardsHttp(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(RefuseOversizedBodies);
        return app;
    }

    private static Task RefuseOversizedBodies(HttpContext context, RequestDelegate next)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            throw new BadHttpRequestException(
                $"The request body exceeds {MaxBodyBytes / 1024} KiB.", StatusCodes.Status413PayloadTooLarge);
        }
        // Chunked bodies without a length are bounded by the server limit where the server supports one.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }
        return next(context);
    }
}
