using Rewards.Api.Features.Activities;
using Rewards.Api.Features.Clients;
using Rewards.Api.Features.Demo;
using Rewards.Api.Features.Events;
using Rewards.Api.Features.Gamification;
using Rewards.Api.Features.Health;
using Rewards.Api.Features.Insights;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Features.Lots;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.People;
using Rewards.Api.Features.Perks;
using Rewards.Api.Features.Programs;
using Rewards.Api.Features.Quotas;
using Rewards.Api.Features.Catalogue;
using Rewards.Api.Features.Webhooks;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Http;
using Rewards.Api.Infrastructure.Jobs;
using Rewards.Api.Infrastructure.OpenApi;
using Rewards.Api.Infrastructure.Redis;

var builder = WebApplication.CreateBuilder(args);

builder.Services
    .AddRewardsHttp()
    .AddRewardsRedis(builder.Configuration)
    .AddRewardsAuth(builder.Configuration, builder.Environment)
    .AddRewardsOpenApi()
    .AddRewardsJobs(builder.Configuration)
    .AddProgramsFeature()
    .AddQuotasFeature()
    .AddMembersFeature()
    .AddLotsFeature()
    .AddClientsFeature()
    .AddActivitiesFeature()
    .AddLeaderboardsFeature()
    .AddPerksFeature()
    .AddRewardsFeature()
    .AddInsightsFeature()
    .AddGamificationFeature()
    .AddPeopleFeature()
    .AddEventsFeature()
    .AddWebhooksFeature(builder.Environment)
    .AddDemoFeature(builder.Configuration);

var app = builder.Build();

app.UseRewardsHttp();
app.UseRewardsOpenApi();
app.UseProgramCors();
app.UseRewardsAuth();
app.UseRewardsJobs();

app.MapHealthApi();
app.MapProgramsApi();
app.MapQuotasApi();
app.MapClientsApi();
app.MapMembersApi();
app.MapLotsApi();
app.MapActivitiesApi();
app.MapLeaderboardsApi();
app.MapPerksApi();
app.MapMemberPerksApi();
app.MapRewardsApi();
app.MapRedemptionsApi();
app.MapInsightsApi();
app.MapAmbassadorsApi();
app.MapSessionApi();
app.MapPeopleApi();
app.MapEventsApi();
app.MapWebhooksApi();

app.Run();

public partial class Program;
