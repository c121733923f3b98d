using Microsoft.OpenApi;

namespace Rewards.Api.Infrastructure.OpenApi;

public static class OpenApiSetup
{
    public const string DocumentName = "v1";

    public static IServiceCollection AddRewardsOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "Rewards API",
                Version = "v1",
                Description = "Gamified loyalty and member rewards: points, leaderboards, tiers, badges and member-only perks.",
            });
            o.SupportNonNullableReferenceTypes();
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
}
