using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Rewards.Api.Infrastructure.Redis;

namespace Rewards.Api.Features.Events;

/// <summary>One event as live streams send it: its id, type and envelope (JSON, serialized once for every listener).</summary>
public sealed record LiveEvent(EventId Id, string Type, string? MemberId, byte[] Json);

/// <summary>
/// Live streams' fan-out. An instance holds at most one reader per program stream, whatever the number of clients: the
/// first listener of a program starts a reader (one XREAD BLOCK at a time on a connection of its own, since a blocking
/// read holds its connection), which hands each event to the program's listeners in process, through a bounded queue per
/// listener: a listener that falls <see cref="EventsOptions.ClientBuffer"/> events behind is dropped. Member listeners
/// are indexed by member, so an event costs one lookup, whatever the number of listeners. A reader whose program has had
/// no listener for <see cref="IdleStop"/> closes its connection.
/// </summary>
public sealed partial class EventHub(IConfiguration configuration, IOptions<EventsOptions> options,
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, ILogger<EventHub> logger) : IAsyncDisposable
{
    public static readonly TimeSpan IdleStop = TimeSpan.FromSeconds(30);
    private const int BlockMs = 2_000;
    private const int ReadCount = 1_000;

    private readonly IConfiguration _configuration = configuration;
    private readonly JsonSerializerOptions _json = json.Value.SerializerOptions;
    private readonly ILogger<EventHub> _logger = logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ProgramFeed> _feeds = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Listeners connected to this instance (all programs).</summary>
    public int ListenerCount { get { lock (_lock) { return _feeds.Values.Sum(f => f.Count); } } }

    /// <summary>
    /// Starts listening to a program's events (a member's only, when <paramref name="memberId"/> is given). Completes once the
    /// program's reader knows where the stream is: every event written from then on reaches the subscription.
    /// </summary>
    public async Task<EventSubscription> SubscribeAsync(string programId, string? memberId, CancellationToken cancellationToken)
    {
        EventSubscription subscription;
        ProgramFeed feed;
        lock (_lock)
        {
            if (!_feeds.TryGetValue(programId, out feed!))
            {
                feed = new ProgramFeed(this, programId);
                _feeds[programId] = feed;
                feed.Start();
            }
            subscription = new EventSubscription(feed, memberId, options.Value.ClientBuffer);
            feed.Add(subscription);
        }
        try
        {
            await feed.Ready.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        catch (TimeoutException)
        {
            subscription.Dispose();
            throw new Infrastructure.Errors.ServiceUnavailableException("The event stream cannot be read now (Redis unavailable); retry shortly.");
        }
        catch
        {
            subscription.Dispose();
            throw;
        }
        return subscription;
    }

    internal void Remove(ProgramFeed feed, EventSubscription subscription)
    {
        lock (_lock)
        {
            feed.Remove(subscription);
        }
    }

    /// <summary>Called by a reader with no listener for <see cref="IdleStop"/>: true when it may stop (nobody came meanwhile).</summary>
    private bool TryRetire(ProgramFeed feed)
    {
        lock (_lock)
        {
            if (feed.Count > 0)
            {
                return false;
            }
            _feeds.Remove(feed.ProgramId);
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    internal sealed class ProgramFeed(EventHub hub, string programId)
    {
        private readonly List<EventSubscription> _all = [];
        private readonly Dictionary<string, List<EventSubscription>> _byMember = new(StringComparer.Ordinal);
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile EventSubscription[] _allSnapshot = [];
        private readonly ConcurrentDictionary<string, EventSubscription[]> _memberSnapshot = new(StringComparer.Ordinal);

        public string ProgramId => programId;

        public Task Ready => _ready.Task;

        public int Count { get; private set; }

        // Add and Remove run under the hub's lock; the reader reads the snapshots without it.
        public void Add(EventSubscription s)
        {
            Count++;
            if (s.MemberId is null)
            {
                _all.Add(s);
                _allSnapshot = [.. _all];
                return;
            }
            if (!_byMember.TryGetValue(s.MemberId, out var list))
            {
                _byMember[s.MemberId] = list = [];
            }
            list.Add(s);
            _memberSnapshot[s.MemberId] = [.. list];
        }

        public void Remove(EventSubscription s)
        {
            if (s.MemberId is null)
            {
                if (_all.Remove(s))
                {
                    Count--;
                    _allSnapshot = [.. _all];
                }
                return;
            }
            if (_byMember.TryGetValue(s.MemberId, out var list) && list.Remove(s))
            {
                Count--;
                if (list.Count == 0)
                {
                    _byMember.Remove(s.MemberId);
                    _memberSnapshot.TryRemove(s.MemberId, out _);
                }
                else
                {
                    _memberSnapshot[s.MemberId] = [.. list];
                }
            }
        }

        public void Start() => _ = Task.Run(RunAsync);

        public void Detach(EventSubscription s) => hub.Remove(this, s);

        private async Task RunAsync()
        {
            var token = hub._stopping.Token;
            ConnectionMultiplexer? connection = null;
            var idleSince = (DateTimeOffset?)null;
            string lastId = "0-0";
            var key = RedisKeys.Events(programId);
            while (!token.IsCancellationRequested)
            {
                try
                {
                    if (connection is null)
                    {
                        connection = await ConnectAsync();
                        var db0 = connection.GetDatabase();
                        var newest = await db0.StreamRangeAsync(key, "-", "+", 1, Order.Descending);
                        if (!_ready.Task.IsCompleted)
                        {
                            lastId = newest.Length == 0 ? "0-0" : newest[0].Id!;
                            _ready.TrySetResult();
                        }
                    }
                    var reply = await connection.GetDatabase().ExecuteAsync("XREAD", "COUNT", ReadCount, "BLOCK", BlockMs, "STREAMS", key, lastId);
                    if (!reply.IsNull)
                    {
                        lastId = Dispatch(reply) ?? lastId;
                    }
                    if (Count > 0)
                    {
                        idleSince = null;
                    }
                    else if ((idleSince ??= DateTimeOffset.UtcNow) + IdleStop < DateTimeOffset.UtcNow && hub.TryRetire(this))
                    {
                        break;
                    }
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    LogReadFailed(hub._logger, e, programId);
                    await Task.Delay(500, CancellationToken.None);
                }
                catch (Exception) when (token.IsCancellationRequested)
                {
                    break;
                }
            }
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }

        private async Task<ConnectionMultiplexer> ConnectAsync()
        {
            var options = ConfigurationOptions.Parse(hub._configuration.GetConnectionString(RedisSetup.ConnectionName) ?? "localhost:6379");
            options.AbortOnConnectFail = false;
            options.ClientName = "rewards-events";
            options.Protocol = RedisProtocol.Resp2;
            // A blocked read answers within BlockMs: the timeout must be longer.
            options.AsyncTimeout = Math.Max(options.AsyncTimeout, BlockMs * 3);
            options.SyncTimeout = Math.Max(options.SyncTimeout, BlockMs * 3);
            return await ConnectionMultiplexer.ConnectAsync(options);
        }

        /// <summary>Hands the events of one XREAD reply to their listeners; returns the last id read.</summary>
        private string? Dispatch(RedisResult reply)
        {
            // [[key, [[id, [field, value, ...]], ...]]]
            var streams = (RedisResult[])reply!;
            string? last = null;
            foreach (var stream in streams)
            {
                var parts = (RedisResult[])stream!;
                foreach (var entry in (RedisResult[])parts[1]!)
                {
                    var e = (RedisResult[])entry!;
                    last = (string)e[0]!;
                    var fields = (RedisResult[])e[1]!;
                    string? Field(string name)
                    {
                        for (var i = 0; i + 1 < fields.Length; i += 2)
                        {
                            if ((string?)fields[i] == name)
                            {
                                return (string?)fields[i + 1];
                            }
                        }
                        return null;
                    }
                    var member = Field("member");
                    var all = _allSnapshot;
                    EventSubscription[]? members = null;
                    if (!string.IsNullOrEmpty(member))
                    {
                        _memberSnapshot.TryGetValue(member, out members);
                    }
                    if (all.Length == 0 && members is null)
                    {
                        continue;
                    }
                    var evt = ProgramEvent.FromEntry(programId, last, Field);
                    var live = new LiveEvent(EventId.Parse(last), evt.Type, evt.MemberId,
                        JsonSerializer.SerializeToUtf8Bytes(evt, hub._json));
                    foreach (var s in all)
                    {
                        s.Offer(live);
                    }
                    foreach (var s in members ?? [])
                    {
                        s.Offer(live);
                    }
                }
            }
            return last;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the event stream of program {ProgramId} failed; retrying")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string programId);
}

/// <summary>A listener's queue of live events. Dispose to stop listening.</summary>
public sealed class EventSubscription : IDisposable
{
    private readonly EventHub.ProgramFeed _feed;
    private readonly Channel<LiveEvent> _queue;
    private int _disposed;

    internal EventSubscription(EventHub.ProgramFeed feed, string? memberId, int capacity)
    {
        _feed = feed;
        MemberId = memberId;
        _queue = Channel.CreateBounded<LiveEvent>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
    }

    public string? MemberId { get; }

    /// <summary>Set when the listener fell too far behind: its queue is closed, the stream must end.</summary>
    public bool Dropped { get; private set; }

    public ChannelReader<LiveEvent> Events => _queue.Reader;

    internal void Offer(LiveEvent e)
    {
        if (!_queue.Writer.TryWrite(e) && !Dropped)
        {
            Dropped = true;
            _queue.Writer.TryComplete();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _queue.Writer.TryComplete();
            _feed.Detach(this);
        }
    }
}
