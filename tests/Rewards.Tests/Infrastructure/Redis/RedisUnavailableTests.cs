using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Infrastructure.Errors;
using StackExchange.Redis;

namespace Rewards.Tests.Infrastructure.Redis;

/// <summary>
/// How the API answers when Redis cannot serve a request. The outage itself (kill -9 under load) is exercised by
/// scripts/faults; these cover the answers without disturbing the shared test Redis.
/// </summary>
public sealed class RedisUnavailableTests(RewardsApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task Request_Answers503WithRetryAfter_WhenRedisIsUnreachable()
    {
        var exception = new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None,
            "No connection is active/available to service this operation: EVALSHA", null, CommandStatus.WaitingToBeSent);

        var (status, retryAfter, title) = await HandleAsync(exception);

        Assert.Equal(503, status);
        Assert.Equal("1", retryAfter);
        Assert.Equal("Service unavailable", title);
    }

    [Fact]
    public async Task Ready_Answers503_WhenRedisIsUnreachable()
    {
        // A second instance of the API whose Redis is a loopback port nobody listens on.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var unreachable = Factory.WithWebHostBuilder(b => b
            .UseSetting("Rewards:Jobs:Server", "false")
            .UseSetting("ConnectionStrings:Redis", $"127.0.0.1:{closedPort},connectTimeout=500"));
        using var client = unreachable.CreateClient();

        var response = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("redis unreachable", body.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData(RedisErrorKind.Loading, "LOADING Redis is loading the dataset in memory", 503)]
    [InlineData(RedisErrorKind.Busy, "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", 503)]
    [InlineData(RedisErrorKind.ReadOnly, "READONLY You can't write against a read only replica.", 503)]
    [InlineData(RedisErrorKind.UnknownError, "ERR Error running script (call to f_0123): @user_script:1: wrong number of arguments", 500)]
    [InlineData(RedisErrorKind.WrongType, "WRONGTYPE Operation against a key holding the wrong kind of value", 500)]
    public async Task RedisServerError_Answers503OnlyWhenItIsTransient(RedisErrorKind kind, string message, int expected)
    {
        var (status, retryAfter, _) = await HandleAsync(new RedisServerException(kind, CommandFlags.None, message));

        Assert.Equal(expected, status);
        Assert.Equal(expected == 503 ? "1" : null, retryAfter);
    }

    private async Task<(int Status, string? RetryAfter, string? Title)> HandleAsync(Exception exception)
    {
        var handler = Factory.Services.GetServices<IExceptionHandler>().OfType<UnexpectedExceptionHandler>().Single();
        using var scope = Factory.Services.CreateScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = "POST";
        context.Request.Path = "/v1/programs/p/activities";
        using var body = new MemoryStream();
        context.Response.Body = body;

        Assert.True(await handler.TryHandleAsync(context, exception, CancellationToken.None));

        var problem = JsonDocument.Parse(body.ToArray()).RootElement;
        var retryAfter = context.Response.Headers.RetryAfter;
        return (context.Response.StatusCode, retryAfter.Count == 0 ? null : retryAfter.ToString(), problem.GetProperty("title").GetString());
    }
}
