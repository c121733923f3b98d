using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rewards.Faults;

/// <summary>One award request: what the client sends, under its own Idempotency-Key.</summary>
public sealed record AwardRequest(string Key, string Member, string Type, string? Target);

/// <summary>
/// One request and what came back. Status 0 = no answer within the timeout, -1 = no HTTP answer at all (connection error).
/// Start is the Unix time in ms when the request was sent.
/// </summary>
public sealed record AwardAnswer(
    string Key, string Member, string Type, string? Target, int Instance, long Start, double Ms, int Status,
    string? ActivityId, string? Result, long? Points, bool Replayed, string? Error)
{
    public AwardRequest Request => new(Key, Member, Type, Target);

    public long End => Start + (long)Math.Ceiling(Ms);
}

/// <summary>POST /v1/programs/{id}/activities against one of several API instances, with one bearer token.</summary>
public sealed class AwardClient : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly string[] _activityUrls;

    public AwardClient(string[] urls, string token, string programId, int connections, TimeSpan timeout)
    {
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { Timeout = timeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _activityUrls = [.. urls.Select(u => $"{u.TrimEnd('/')}/v1/programs/{programId}/activities")];
    }

    public int Instances => _activityUrls.Length;

    public async Task<AwardAnswer> SendAsync(AwardRequest request, int instance)
    {
        var body = JsonSerializer.Serialize(new { memberId = request.Member, type = request.Type, targetId = request.Target }, Json);
        using var message = new HttpRequestMessage(HttpMethod.Post, _activityUrls[instance])
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        message.Headers.Add("Idempotency-Key", request.Key);
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await _http.SendAsync(message);
            var text = await response.Content.ReadAsStringAsync();
            var ms = clock.Elapsed.TotalMilliseconds;
            var status = (int)response.StatusCode;
            if (response.StatusCode != HttpStatusCode.Created)
            {
                return Answer(request, instance, start, ms, status, error: Truncate(text));
            }
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            return new AwardAnswer(request.Key, request.Member, request.Type, request.Target, instance, start, ms, status,
                root.GetProperty("activityId").GetString(), root.GetProperty("status").GetString(), root.GetProperty("points").GetInt64(),
                response.Headers.Contains("Idempotent-Replayed"), null);
        }
        catch (TaskCanceledException)
        {
            return Answer(request, instance, start, clock.Elapsed.TotalMilliseconds, 0, "timeout");
        }
        catch (HttpRequestException e)
        {
            return Answer(request, instance, start, clock.Elapsed.TotalMilliseconds, -1, Truncate(e.Message));
        }
    }

    private static AwardAnswer Answer(AwardRequest r, int instance, long start, double ms, int status, string error) =>
        new(r.Key, r.Member, r.Type, r.Target, instance, start, ms, status, null, null, null, false, error);

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300];

    public void Dispose() => _http.Dispose();
}
