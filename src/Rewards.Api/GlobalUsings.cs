global using StackExchange.Redis;
global using Rewards.Api.Infrastructure.Codes;
