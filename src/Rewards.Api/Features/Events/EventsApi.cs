using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Events;

/// <summary>The bounds of an events page.</summary>
public static class EventLimits
{
    public const int DefaultPage = 100;
    public const int MaxPage = 1_000;
}

/// <summary>The program's event stream: polled by pages, or followed live (Server-Sent Events). See docs/events.md.</summary>
public static class EventsApi
{
    public static IServiceCollection AddEventsFeature(this IServiceCollection services)
    {
        services.AddOptions<EventsOptions>().BindConfiguration(EventsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<EventStore>();
        services.AddSingleton<EventHub>();
        services.AddTransient<EventMaintenanceJob>();
        return services;
    }

    public static RouteGroupBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/programs/{programId}").WithTags("Events").RequireProgram();
        group.MapGet("/events", ListEvents)
            .WithName(nameof(ListEvents))
            .RequireAuthorization(Policies.ProgramRead)
            .WithSummary("Poll the program's events, oldest first, paged by event id")
            .WithDescription("Events after `after` (an event id; without it, from the oldest event kept), of the `types` given " +
                "(comma-separated; all without), at most `limit` (1–1,000, default 100). Poll again with `nextAfter`. With `types`, a page " +
                $"reads at most {EventStore.MaxScanPerPage:N0} events, so it may hold fewer than `limit`: continue from `nextAfter`. `reset` says " +
                "`after` is older than the oldest event kept (retention): some events are gone, reload your state. Each event's `data` " +
                "has the schema named for its type in docs/events.md (components `*Data`).");
        group.MapGet("/events/stream", StreamProgramEvents)
            .WithName(nameof(StreamProgramEvents))
            .RequireAuthorization(Policies.ProgramRead)
            .WithSummary("Follow the program's events live (Server-Sent Events)")
            .WithDescription(StreamDescription);
        group.MapGet("/members/{memberId}/events/stream", StreamMemberEvents)
            .WithName(nameof(StreamMemberEvents))
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("Follow one member's events live (Server-Sent Events)")
            .WithDescription("The member's own events only (a member token for themselves, `me` included, or rewards.read). " + StreamDescription);
        return group;
    }

    private const string StreamDescription = "`text/event-stream`: each event is `id:` (its id), `event:` (its type) and `data:` (the same " +
        "envelope as `GET .../events`). Send `Last-Event-ID` (an event id) to resume after it: the events since are sent first. When " +
        "it is older than the oldest event kept, a `reset` event says to reload your state (its id resumes from now). A comment line " +
        "(`: heartbeat`) every 15 s keeps proxies open; a client that falls 1,000 events behind gets an `end` event and is disconnected.";

    private static async Task<Results<Ok<EventPage>, ValidationProblem>> ListEvents(
        string programId, RouteProgram route, EventStore events, string? after = null, string? types = null, int? limit = null)
    {
        EventId parsed = default;
        var typeSet = types?.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var unknown = typeSet?.Where(t => !EventTypes.IsKnown(t)).ToList() ?? [];
        var v = new Validation()
            .Check(after is null || EventId.TryParse(after, out parsed), "after", "When given: an event id (`1764518400000-0`), the `id` or `nextAfter` of an earlier page.")
            .Check(types is null || (typeSet!.Count > 0 && unknown.Count == 0), "types",
                (unknown.Count > 0 ? $"Unknown: {string.Join(", ", unknown)}. " : "") + $"When given: event types, comma-separated, of: {string.Join(", ", EventTypes.All.Keys)}.")
            .Check(limit is null or >= 1 and <= EventLimits.MaxPage, "limit", $"When given: 1 to {EventLimits.MaxPage:N0}.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        return TypedResults.Ok(await events.ReadAsync(programId, after is null ? null : parsed, typeSet, limit ?? EventLimits.DefaultPage));
    }

    /// <param name="lastEventId">Resume after this event id (what an EventSource sends when it reconnects).</param>
    private static Results<EventStreamResult, ValidationProblem> StreamProgramEvents(string programId, RouteProgram route,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId = null) =>
        LastEventId(lastEventId, out var last) is { } problem ? problem : new EventStreamResult(programId, null, last);

    /// <param name="lastEventId">Resume after this event id (what an EventSource sends when it reconnects).</param>
    private static async Task<Results<EventStreamResult, ValidationProblem, NotFoundProblem>> StreamMemberEvents(
        string programId, string memberId, RouteProgram route, MemberStore members, [FromHeader(Name = "Last-Event-ID")] string? lastEventId = null)
    {
        if (LastEventId(lastEventId, out var last) is { } problem)
        {
            return problem;
        }
        if (!Ids.IsValidId(memberId) || await members.FindAsync(programId, memberId) is null)
        {
            return MembersApi.MemberNotFound(memberId);
        }
        return new EventStreamResult(programId, memberId, last);
    }

    private static ValidationProblem? LastEventId(string? header, out EventId? last)
    {
        last = null;
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }
        if (!EventId.TryParse(header.Trim(), out var id))
        {
            return new Validation().Add("Last-Event-ID", "When given: an event id (`1764518400000-0`), the `id:` of the last event received.").ToProblem();
        }
        last = id;
        return null;
    }
}
