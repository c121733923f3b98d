using System.Text.Json;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Events;

/// <summary>Helpers of the event tests: the program's whole event stream, read through the polling endpoint.</summary>
public abstract class EventTest(RewardsApiFactory factory) : ApiTest(factory)
{
    /// <summary>Every event of the program kept now, oldest first (paging through GET .../events).</summary>
    protected async Task<List<JsonElement>> EventsAsync(string programId, string? types = null)
    {
        var events = new List<JsonElement>();
        string? after = null;
        while (true)
        {
            var page = await GetJsonAsync($"/v1/programs/{programId}/events?limit=1000" + (after is null ? "" : $"&after={after}") +
                (types is null ? "" : $"&types={types}"));
            var items = page.GetProperty("events").EnumerateArray().ToList();
            events.AddRange(items);
            var next = page.TryGetProperty("nextAfter", out var n) ? n.GetString() : null;
            if (items.Count == 0 || next is null || next == after)
            {
                return events;
            }
            after = next;
        }
    }

    protected static string TypeOf(JsonElement e) => e.GetProperty("type").GetString()!;

    protected static string? MemberOf(JsonElement e) => e.TryGetProperty("memberId", out var m) ? m.GetString() : null;

    protected static JsonElement Data(JsonElement e) => e.GetProperty("data");

    protected static string[] Types(IEnumerable<JsonElement> events) => [.. events.Select(TypeOf)];
}
