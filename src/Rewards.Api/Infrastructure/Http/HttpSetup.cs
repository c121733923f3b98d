using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.Json;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Infrastructure.Http;

/// <summary>Which proxies may tell the API the caller's address (X-Forwarded-For) and scheme (X-Forwarded-Proto).</summary>
public sealed class HttpOptions
{
    public const string Section = "Rewards:Http";

    /// <summary>Addresses of the load balancers or reverse proxies in front of the API. None by default: the headers are ignored.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, e.g. 10.0.0.0/8) whose addresses are trusted proxies.</summary>
    public string[] KnownNetworks { get; set; } = [];
}

public static class HttpSetup
{
    /// <summary>Request bodies above this size are refused with 413 before they are read.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    public static IServiceCollection AddRewardsHttp(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemTexts.Fill);
        services.AddExceptionHandler<UnexpectedExceptionHandler>();
        // Unreadable bodies throw, so the one exception handler answers them as problems.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = MaxBodyBytes);
        services.Configure<JsonOptions>(o => Configure(o.SerializerOptions));
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<HttpOptions>().BindConfiguration(HttpOptions.Section)
            .Validate(o => o.KnownProxies.All(p => IPAddress.TryParse(p, out _)), "Rewards:Http:KnownProxies: each must be an IP address.")
            .Validate(o => o.KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), "Rewards:Http:KnownNetworks: each must be a CIDR network (10.0.0.0/8).")
            .ValidateOnStart();
        // Only the configured proxies are believed (ASP.NET Core trusts loopback by default; here nothing unless configured),
        // so the per-address limits see the real caller behind a load balancer and no caller can choose its own address.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<HttpOptions>>((o, http) =>
        {
            // With both lists empty the middleware would believe every sender: then it does nothing at all.
            o.ForwardedHeaders = http.Value.KnownProxies.Length + http.Value.KnownNetworks.Length == 0 ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // the obsolete list still holds the loopback network by default
            o.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            foreach (var proxy in http.Value.KnownProxies.Where(p => IPAddress.TryParse(p, out _)))
            {
                o.KnownProxies.Add(IPAddress.Parse(proxy));
            }
            foreach (var network in http.Value.KnownNetworks.Where(n => System.Net.IPNetwork.TryParse(n, out _)))
            {
                o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
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

    /// <summary>
    /// Strict JSON: typos in field names and numbers sent as strings are errors, not silently ignored; instants need an offset
    /// and are written with millisecond precision.
    /// </summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.Converters.Add(new InstantJsonConverter());
    }

    public static WebApplication UseRewardsHttp(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ForwardedHeadersOptions>>().Value.ForwardedHeaders != ForwardedHeaders.None)
        {
            app.UseForwardedHeaders();
        }
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(RefuseOversizedBodies);
        return app;
    }

    private static Task RefuseOversizedBodies(HttpContext context, RequestDelegate next)
    {
        // An endpoint may name a larger bound (a batch of activities: ActivityLimits.MaxBatchBodyBytes).
        var max = context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? MaxBodyBytes;
        if (context.Request.ContentLength > max)
        {
            throw new BadHttpRequestException(
                $"The request body exceeds {max / 1024} KiB.", StatusCodes.Status413PayloadTooLarge);
        }
        // Chunked bodies without a length are bounded by the server limit where the server supports one.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }
        return next(context);
    }
}
