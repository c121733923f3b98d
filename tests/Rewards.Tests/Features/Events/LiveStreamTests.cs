using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Events;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Events;

/// <summary>Live streams (Server-Sent Events): what they carry, resuming with Last-Event-ID, reset, heartbeats, access.</summary>
public sealed class LiveStreamTests(RewardsApiFactory factory) : EventTest(factory)
{
    private const string Rules = """{ "review": { "points": 50 }, "share": { "points": 10 } }""";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>One message of a text/event-stream: an event (id, type, data) or a comment line.</summary>
    private sealed record SseMessage(string? Id, string? Event, string? Data, string? Comment);

    /// <summary>Reads messages off an open event stream.</summary>
    private sealed class SseReader(HttpResponseMessage response, Stream body) : IDisposable
    {
        private readonly StreamReader _reader = new(body, Encoding.UTF8);

        public HttpResponseMessage Response => response;

        public async Task<SseMessage> NextAsync()
        {
            using var timeout = new CancellationTokenSource(Patience);
            string? id = null, type = null, data = null, comment = null;
            while (true)
            {
                var line = await _reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("the stream ended");
                if (line.Length == 0)
                {
                    if (id is not null || type is not null || data is not null || comment is not null)
                    {
                        return new SseMessage(id, type, data, comment);
                    }
                    continue;
                }
                if (line.StartsWith(':'))
                {
                    comment = line[1..].Trim();
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal)) { id = line[4..]; }
                else if (line.StartsWith("event: ", StringComparison.Ordinal)) { type = line[7..]; }
                else if (line.StartsWith("data: ", StringComparison.Ordinal)) { data = line[6..]; }
            }
        }

        /// <summary>The next event, comments (connected, heartbeats) skipped.</summary>
        public async Task<SseMessage> NextEventAsync()
        {
            while (true)
            {
                var m = await NextAsync();
                if (m.Event is not null)
                {
                    return m;
                }
            }
        }

        public void Dispose()
        {
            _reader.Dispose();
            response.Dispose();
        }
    }

    private async Task<SseReader> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Assert.Fail($"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.Equal(EventStreamResult.ContentType, response.Content.Headers.ContentType?.MediaType);
        var reader = new SseReader(response, await response.Content.ReadAsStreamAsync());
        Assert.Equal("connected", (await reader.NextAsync()).Comment); // subscribed: everything from now on arrives
        return reader;
    }

    private static JsonElement Envelope(SseMessage m) => JsonDocument.Parse(m.Data!).RootElement;

    [Fact]
    public async Task MemberStream_CarriesTheMembersEventsAsTheyHappen_AndNeverAnotherMembers()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "share");
        using var stream = await OpenAsync(Client, $"/v1/programs/{id}/members/alice/events/stream");

        await RecordAsync(id, "bob", "review"); // bob passes alice: her overtaken event comes, his award does not
        await RecordAsync(id, "alice", "share");

        var overtaken = await stream.NextEventAsync();
        Assert.Equal("leaderboard.overtaken", overtaken.Event);
        var awarded = await stream.NextEventAsync();
        Assert.Equal("activity.awarded", awarded.Event);
        var envelope = Envelope(awarded);
        Assert.Equal(("alice", awarded.Id, 3L), (envelope.GetProperty("memberId").GetString(), envelope.GetProperty("id").GetString(),
            envelope.GetProperty("sequence").GetInt64()));
        var polled = (await EventsAsync(id)).Where(e => MemberOf(e) == "alice").Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(polled.Skip(1), [overtaken.Id, awarded.Id]);
    }

    [Fact]
    public async Task ProgramStream_CarriesEveryEvent_InStreamOrder()
    {
        var id = await CreateProgramAsync(Rules);
        using var stream = await OpenAsync(Client, $"/v1/programs/{id}/events/stream");

        await RecordAsync(id, "alice", "share");
        await RecordAsync(id, "bob", "share");

        var received = new[] { await stream.NextEventAsync(), await stream.NextEventAsync() };
        Assert.Equal(["alice", "bob"], received.Select(m => Envelope(m).GetProperty("memberId").GetString()));
        Assert.Equal((await EventsAsync(id)).Select(e => e.GetProperty("id").GetString()), received.Select(m => m.Id));
    }

    [Fact]
    public async Task LastEventId_ResumesAfterIt_WithTheEventsSinceThenLiveOnes_NoneTwice()
    {
        var id = await CreateProgramAsync(Rules);
        for (var i = 0; i < 3; i++)
        {
            await RecordAsync(id, "alice", "share");
        }
        await RecordAsync(id, "bob", "share");
        var all = (await EventsAsync(id)).Where(e => MemberOf(e) == "alice").Select(e => e.GetProperty("id").GetString()).ToList();

        using var stream = await OpenAsync(Client, $"/v1/programs/{id}/members/alice/events/stream", lastEventId: all[0]);
        await RecordAsync(id, "alice", "share");

        var ids = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await stream.NextEventAsync()).Id);
        }
        var now = (await EventsAsync(id)).Where(e => MemberOf(e) == "alice").Select(e => e.GetProperty("id").GetString()).ToList();
        Assert.Equal(now.Skip(1), ids);
    }

    [Fact]
    public async Task LastEventId_OlderThanRetention_GetsAReset_ThenLiveEvents()
    {
        var id = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "share");
        var first = (await EventsAsync(id))[0].GetProperty("id").GetString()!;
        await RecordAsync(id, "alice", "share");
        await RecordAsync(id, "alice", "share");
        // Retention dropped the oldest events (as XADD MAXLEN ~ and the maintenance job's XTRIM MINID do).
        await Factory.Redis.GetDatabase().StreamTrimAsync($"rw:{{{id}}}:events", 1);
        var newest = (await EventsAsync(id)).Single().GetProperty("id").GetString();

        using var stream = await OpenAsync(Client, $"/v1/programs/{id}/members/alice/events/stream", lastEventId: first);
        var reset = await stream.NextEventAsync();
        Assert.Equal("reset", reset.Event);
        Assert.Equal(newest, reset.Id);
        await RecordAsync(id, "alice", "share");
        Assert.Equal("activity.awarded", (await stream.NextEventAsync()).Event);

        var polled = await GetJsonAsync($"/v1/programs/{id}/events?after={first}");
        Assert.True(polled.GetProperty("reset").GetBoolean());
        Assert.Equal(newest, polled.GetProperty("events")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task IdleStream_SendsHeartbeatComments()
    {
        var id = await CreateProgramAsync(Rules);
        using var stream = await OpenAsync(Client, $"/v1/programs/{id}/events/stream");

        Assert.Equal("heartbeat", (await stream.NextAsync()).Comment);
    }

    [Fact]
    public async Task Streams_FollowScopesAndTenancy()
    {
        var id = await CreateProgramAsync(Rules);
        var other = await CreateProgramAsync(Rules);
        await RecordAsync(id, "alice", "share");
        await RecordAsync(id, "bob", "share");
        var (writerId, writerSecret) = await CreateApiClientAsync(id, Scopes.Activities);
        var alice = Factory.CreateClient(await Factory.TokenAsync(writerId, writerSecret, grantType: MemberGrant.Type, memberId: "alice"));
        var reader = await ClientOfProgramAsync(id, Scopes.Read);
        var writer = await ClientOfProgramAsync(id, Scopes.Activities);
        var otherReader = await ClientOfProgramAsync(other, Scopes.Read);

        using (await OpenAsync(alice, $"/v1/programs/{id}/members/alice/events/stream")) { }
        using (await OpenAsync(alice, $"/v1/programs/{id}/members/me/events/stream")) { }
        using (await OpenAsync(reader, $"/v1/programs/{id}/members/bob/events/stream")) { }
        using (await OpenAsync(reader, $"/v1/programs/{id}/events/stream")) { }
        await AssertProblemAsync(await alice.GetAsync($"/v1/programs/{id}/members/bob/events/stream"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await alice.GetAsync($"/v1/programs/{id}/events/stream"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await alice.GetAsync($"/v1/programs/{id}/events"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await writer.GetAsync($"/v1/programs/{id}/events/stream"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(await otherReader.GetAsync($"/v1/programs/{id}/events/stream"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await otherReader.GetAsync($"/v1/programs/{id}/events"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await reader.GetAsync($"/v1/programs/{id}/members/nobody/events/stream"), HttpStatusCode.NotFound);
        var bad = new HttpRequestMessage(HttpMethod.Get, $"/v1/programs/{id}/events/stream");
        bad.Headers.Add("Last-Event-ID", "yesterday");
        await AssertProblemAsync(await reader.SendAsync(bad), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Hub_HoldsOneReaderPerProgram_AndDropsAListenerThatFallsTooFarBehind()
    {
        var id = await CreateProgramAsync(Rules);
        var hub = Factory.Services.GetRequiredService<EventHub>();
        var buffer = Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EventsOptions>>().Value.ClientBuffer;
        using var slow = await hub.SubscribeAsync(id, null, CancellationToken.None);
        using var member = await hub.SubscribeAsync(id, "m-0", CancellationToken.None);

        foreach (var batch in Enumerable.Range(0, buffer + 10).Chunk(500))
        {
            await PostJsonAsync($"/v1/programs/{id}/activities:batch",
                new { activities = batch.Select(i => new { idempotencyKey = $"k-{i}", memberId = $"m-{i % 50}", type = "share" }) }, HttpStatusCode.OK);
        }

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!slow.Dropped && waited.Elapsed < Patience)
        {
            await Task.Delay(50);
        }
        Assert.True(slow.Dropped);
        Assert.False(member.Dropped); // m-0's own events only: far fewer than the buffer
        var count = 0;
        while (member.Events.TryRead(out var e))
        {
            Assert.Equal("m-0", e.MemberId);
            count++;
        }
        Assert.True(count > 0);
    }
}
