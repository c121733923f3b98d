using Rewards.Api.Features.Activities;
using Rewards.Api.Features.Health;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Http;
using Rewards.Api.Infrastructure.OpenApi;
using Rewards.Api.Infrastructure.Redis;

var builder = WebApplication.CreateBuilder(args);

builder.Services
    .AddRewardsHttp()
    .AddRewardsRedis(builder.Configuration)
    .AddRewardsOpenApi()
    .AddProgramsFeature()
    .AddMembersFeature()
    .AddActivitiesFeature();

var app = builder.Build();

app.UseRewardsHttp();
app.UseRewardsOpenApi();

app.MapHealthApi();
app.MapProgramsApi();
app.MapMembersApi();
app.MapActivitiesApi();

app.Run();

public partial class Program;
