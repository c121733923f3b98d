using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Webhooks;

/// <summary>The bounds of a program's webhooks.</summary>
public static partial class WebhookLimits
{
    public const int MaxEndpoints = 20;
    public const int MaxUrlLength = 2_000;
    public const int MaxEventTypes = 50;
    public const int MaxDescriptionLength = 200;
    public const int MaxDeliveriesPage = 100;
    public const int DefaultDeliveriesPage = 20;

    /// <summary>Failed deliveries one replay call queues at most (call again for the rest).</summary>
    public const int MaxReplay = 10_000;

    public const string EventTypeRule = "event type names such as 'activity.awarded', or a family such as 'member.*'; 1–64 lower-case " +
        "characters, at most 50, none twice; leave the field out for every type";

    [GeneratedRegex(@"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?\z")]
    private static partial Regex EventTypePattern();

    public static bool IsValidEventType(string? value) => value is { Length: >= 1 and <= 64 } && EventTypePattern().IsMatch(value);

    [GeneratedRegex(@"^[0-9]{1,19}-[0-9]{1,19}\z")]
    private static partial Regex StreamIdPattern();

    /// <summary>Event ids and delivery-log cursors are stream ids: "&lt;ms&gt;-&lt;seq&gt;".</summary>
    public static bool IsStreamId(string? value) => value is not null && StreamIdPattern().IsMatch(value);
}

public static class WebhooksApi
{
    public static IServiceCollection AddWebhooksFeature(this IServiceCollection services, IHostEnvironment environment)
    {
        services.AddOptions<WebhooksOptions>().BindConfiguration(WebhooksOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.AllowedNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)), "Rewards:Webhooks:AllowedNetworks: CIDR networks such as 10.20.0.0/16")
            .Validate(o => o.Lease >= o.Timeout + TimeSpan.FromSeconds(5), "Rewards:Webhooks:Lease must exceed Timeout by 5 s at least")
            .ValidateOnStart();
        services.AddSingleton(sp => WebhookAddressPolicy.From(sp.GetRequiredService<IOptions<WebhooksOptions>>().Value, environment.IsDevelopment()));
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return services;
    }

    public static RouteGroupBuilder MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/programs/{programId}/webhooks")
            .RequireProgram()
            .WithTags("Webhooks")
            .RequireAuthorization(Policies.Webhooks);

        group.MapPost("/", CreateWebhook)
            .WithName(nameof(CreateWebhook))
            .WithSummary("Add a webhook endpoint")
            .WithDescription("Events appended from now on are POSTed to the URL, signed as Standard Webhooks specify (docs/webhooks.md). " +
                "The signing secret (`whsec_...`) is shown only in this answer. `eventTypes` left out: every type. Outside Development the " +
                "URL must be https and reach a public address. 409 when the program has " + WebhookLimits.MaxEndpoints + " endpoints.");
        group.MapGet("/", ListWebhooks)
            .WithName(nameof(ListWebhooks))
            .WithSummary("List the program's webhook endpoints (never their secrets)")
            .WithDescription("Oldest first. " + Paging.Description);
        group.MapGet("/{webhookId}", GetWebhook)
            .WithName(nameof(GetWebhook))
            .WithSummary("A webhook endpoint: URL, event types, enabled or why disabled, failing since when");
        group.MapPatch("/{webhookId}", PatchWebhook)
            .WithName(nameof(PatchWebhook))
            .WithSummary("Change a webhook endpoint's URL, event types, description, or enable or disable it")
            .WithDescription("Fields left out (or null) stay as they are. Enabling an endpoint clears its failure state; events whose delivery " +
                "failed meanwhile can be replayed (`POST .../replay`).");
        group.MapDelete("/{webhookId}", DeleteWebhook)
            .WithName(nameof(DeleteWebhook))
            .WithSummary("Delete a webhook endpoint with its delivery log");
        group.MapPost("/{webhookId}/rotate-secret", RotateWebhookSecret)
            .WithName(nameof(RotateWebhookSecret))
            .WithSummary("Replace the signing secret; the previous one stays valid for 24 hours")
            .WithDescription("The new secret is shown only in this answer. For 24 hours deliveries carry two signatures (new and previous " +
                "secret, space separated in `webhook-signature`), so receivers can switch without losing a message.");
        group.MapGet("/{webhookId}/deliveries", ListWebhookDeliveries)
            .WithName(nameof(ListWebhookDeliveries))
            .WithSummary("The endpoint's delivery log, newest attempt first")
            .WithDescription("One entry per attempt: event, attempt number, time, latency, HTTP status, outcome, next attempt, error, the first " +
                "1 KB of the answer. The log keeps the last `Rewards:Webhooks:DeliveryLogLength` attempts (1,000). Paged with `cursor` " +
                "(the `nextCursor` of the previous page) and `limit` (1–100, default 20).");
        group.MapPost("/{webhookId}/deliveries/{eventId}/replay", ReplayWebhookEvent)
            .WithName(nameof(ReplayWebhookEvent))
            .WithSummary("Send one event to the endpoint again")
            .WithDescription("Any event still in the program's stream, delivered or not. Replays are retried like new events but do not count " +
                "toward disabling the endpoint.");
        group.MapPost("/{webhookId}/replay", ReplayFailedWebhookEvents)
            .WithName(nameof(ReplayFailedWebhookEvents))
            .WithSummary("Send again every event whose delivery failed since a time")
            .WithDescription("Queues the events whose delivery to this endpoint failed for good (retries exhausted, or the endpoint was disabled) " +
                $"at or after `since`, at most {WebhookLimits.MaxReplay:N0} per call (`failed` says how many there are in all).");
        group.MapPost("/{webhookId}/test", TestWebhook)
            .WithName(nameof(TestWebhook))
            .WithSummary("Send a signed 'webhook.test' message now and answer what the endpoint replied")
            .WithDescription("Sent once (no retry), also to a disabled endpoint; logged in the delivery log; never counts toward disabling.");
        return group;
    }

    public sealed record CreateWebhookRequest(string? Url, string[]? EventTypes, string? Description, bool? Enabled);

    public sealed record PatchWebhookRequest(string? Url, string[]? EventTypes, string? Description, bool? Enabled);

    public sealed record ReplayRequest(DateTimeOffset? Since);

    public sealed record CreatedWebhook(WebhookEndpoint Endpoint, string Secret);

    public sealed record RotatedSecret(string Secret, DateTimeOffset PreviousSecretValidUntil);

    public sealed record WebhookList(IReadOnlyList<WebhookEndpoint> Endpoints, long Total);

    public sealed record DeliveryList(IReadOnlyList<WebhookDelivery> Deliveries, string? NextCursor);

    public sealed record ReplayQueued(long Queued, long Failed);

    public sealed record TestDelivery(string MessageId, bool Delivered, int? Status, long LatencyMs, string? Error, string? Response);

    private static Validation CheckFields(this Validation v, WebhookAddressPolicy policy, string? url, string[]? types, string? description,
        bool urlRequired)
    {
        if (url is not null || urlRequired)
        {
            var refusal = url is null ? "an absolute https URL." : url.Length > WebhookLimits.MaxUrlLength ? $"at most {WebhookLimits.MaxUrlLength} characters."
                : url.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? "a URL without spaces or control characters." : policy.Refusal(url);
            v.Expect(url, refusal is null, "url", refusal ?? "");
        }
        return v
            .Check(types is null || (types.Length is >= 1 and <= WebhookLimits.MaxEventTypes && types.All(WebhookLimits.IsValidEventType)
                && types.Distinct(StringComparer.Ordinal).Count() == types.Length), "eventTypes", "Invalid: " + WebhookLimits.EventTypeRule + ".")
            .Check(description is null || Ids.IsPlainText(description, WebhookLimits.MaxDescriptionLength), "description",
                $"Invalid: 1–{WebhookLimits.MaxDescriptionLength} characters of plain text, or leave it out.");
    }

    private static async Task<Results<Created<CreatedWebhook>, ValidationProblem, ConflictProblem>> CreateWebhook(
        string programId, CreateWebhookRequest request, RouteProgram route, WebhookStore webhooks, WebhookAddressPolicy policy)
    {
        var v = new Validation().CheckFields(policy, request.Url, request.EventTypes, request.Description, urlRequired: true);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var secret = WebhookSigner.NewSecret();
        if (await webhooks.CreateAsync(programId, request.Url!, request.EventTypes ?? [], request.Description?.Trim(), request.Enabled ?? true, secret)
            is not { } endpoint)
        {
            return Problems.Conflict($"The program has {WebhookLimits.MaxEndpoints} webhook endpoints, the most it may hold: delete one it no longer uses.");
        }
        return TypedResults.Created($"/v1/programs/{programId}/webhooks/{endpoint.Id}", new CreatedWebhook(endpoint, secret));
    }

    private static async Task<Results<Ok<WebhookList>, ValidationProblem>> ListWebhooks(
        string programId, RouteProgram route, WebhookStore webhooks, int? offset = null, int? limit = null)
    {
        var v = new Validation().CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (page, total) = await webhooks.ListAsync(programId, offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new WebhookList(page, total));
    }

    private static NotFoundProblem NoSuchWebhook() => Problems.NotFound("No such webhook endpoint in this program: list them with GET .../webhooks.");

    private static async Task<Results<Ok<WebhookEndpoint>, NotFoundProblem>> GetWebhook(
        string programId, string webhookId, RouteProgram route, WebhookStore webhooks) =>
        Ids.IsValidGeneratedId(webhookId) && await webhooks.FindAsync(programId, webhookId) is { } endpoint
            ? TypedResults.Ok(endpoint)
            : NoSuchWebhook();

    private static async Task<Results<Ok<WebhookEndpoint>, ValidationProblem, NotFoundProblem>> PatchWebhook(
        string programId, string webhookId, PatchWebhookRequest request, RouteProgram route, WebhookStore webhooks, WebhookAddressPolicy policy)
    {
        if (!Ids.IsValidGeneratedId(webhookId))
        {
            return NoSuchWebhook();
        }
        var v = new Validation().CheckFields(policy, request.Url, request.EventTypes, request.Description, urlRequired: false)
            .Check(request is not { Url: null, EventTypes: null, Description: null, Enabled: null }, "body",
                "Name at least one of url, eventTypes, description, enabled.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        if (!await webhooks.UpdateAsync(programId, webhookId, request.Url, request.EventTypes, request.Description?.Trim(), request.Enabled))
        {
            return NoSuchWebhook();
        }
        return TypedResults.Ok((await webhooks.FindAsync(programId, webhookId))!);
    }

    private static async Task<Results<NoContent, NotFoundProblem>> DeleteWebhook(
        string programId, string webhookId, RouteProgram route, WebhookStore webhooks) =>
        Ids.IsValidGeneratedId(webhookId) && await webhooks.DeleteAsync(programId, webhookId) ? TypedResults.NoContent() : NoSuchWebhook();

    private static async Task<Results<Ok<RotatedSecret>, NotFoundProblem>> RotateWebhookSecret(
        string programId, string webhookId, RouteProgram route, WebhookStore webhooks, TimeProvider clock)
    {
        var secret = WebhookSigner.NewSecret();
        if (!Ids.IsValidGeneratedId(webhookId) || !await webhooks.UpdateAsync(programId, webhookId, null, null, null, null, secret))
        {
            return NoSuchWebhook();
        }
        return TypedResults.Ok(new RotatedSecret(secret, (await webhooks.FindAsync(programId, webhookId))?.PreviousSecretValidUntil
            ?? clock.GetUtcNow() + WebhookStore.PreviousSecretLifetime));
    }

    private static async Task<Results<Ok<DeliveryList>, ValidationProblem, NotFoundProblem>> ListWebhookDeliveries(
        string programId, string webhookId, RouteProgram route, WebhookStore webhooks, string? cursor = null, int? limit = null)
    {
        if (!Ids.IsValidGeneratedId(webhookId) || await webhooks.FindAsync(programId, webhookId) is null)
        {
            return NoSuchWebhook();
        }
        var v = new Validation()
            .Check(cursor is null || WebhookLimits.IsStreamId(cursor), "cursor", "Invalid: use the nextCursor of the previous page.")
            .Check(limit is null or >= 1 and <= WebhookLimits.MaxDeliveriesPage, "limit", $"When given: 1 to {WebhookLimits.MaxDeliveriesPage}.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (page, next) = await webhooks.DeliveriesAsync(programId, webhookId, cursor, limit ?? WebhookLimits.DefaultDeliveriesPage);
        return TypedResults.Ok(new DeliveryList(page, next));
    }

    private static async Task<Results<Accepted<ReplayQueued>, NotFoundProblem, ConflictProblem>> ReplayWebhookEvent(
        string programId, string webhookId, string eventId, RouteProgram route, WebhookStore webhooks)
    {
        if (!Ids.IsValidGeneratedId(webhookId))
        {
            return NoSuchWebhook();
        }
        if (!WebhookLimits.IsStreamId(eventId))
        {
            return Problems.NotFound("No such event: an event id looks like 1764518400000-0 (the id of a delivery or of the event stream).");
        }
        return await ReplayAnswer(webhooks.ReplayAsync(programId, webhookId, eventId, null), programId, webhookId);
    }

    private static async Task<Results<Accepted<ReplayQueued>, ValidationProblem, NotFoundProblem, ConflictProblem>> ReplayFailedWebhookEvents(
        string programId, string webhookId, ReplayRequest request, RouteProgram route, WebhookStore webhooks, TimeProvider clock)
    {
        if (!Ids.IsValidGeneratedId(webhookId))
        {
            return NoSuchWebhook();
        }
        var v = new Validation().Expect(request.Since, request.Since is { } s && s <= clock.GetUtcNow() && s.Year >= 2000, "since",
            "an instant in the past, such as 2026-11-30T08:00:00Z: every failed delivery since then is sent again.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var answer = await ReplayAnswer(webhooks.ReplayAsync(programId, webhookId, null, request.Since), programId, webhookId);
        return answer.Result switch
        {
            Accepted<ReplayQueued> queued => queued,
            NotFoundProblem missing => missing,
            ConflictProblem disabled => disabled,
            var other => throw new InvalidOperationException($"Unexpected replay answer {other}."),
        };
    }

    private static async Task<Results<Accepted<ReplayQueued>, NotFoundProblem, ConflictProblem>> ReplayAnswer(
        Task<(WebhookStore.ReplayOutcome Outcome, long Queued, long Failed)> replay, string programId, string webhookId)
    {
        var (outcome, queued, failed) = await replay;
        return outcome switch
        {
            WebhookStore.ReplayOutcome.Queued => TypedResults.Accepted($"/v1/programs/{programId}/webhooks/{webhookId}/deliveries",
                new ReplayQueued(queued, failed)),
            WebhookStore.ReplayOutcome.NoEndpoint => NoSuchWebhook(),
            WebhookStore.ReplayOutcome.Disabled => Problems.Conflict("The endpoint is disabled: enable it first (PATCH with {\"enabled\": true})."),
            WebhookStore.ReplayOutcome.NoEvent => Problems.NotFound("No such event in the program's stream (never appended, or past its retention)."),
        };
    }

    private static async Task<Results<Ok<TestDelivery>, NotFoundProblem>> TestWebhook(
        string programId, string webhookId, RouteProgram route, WebhookDispatcher dispatcher)
    {
        if (!Ids.IsValidGeneratedId(webhookId) || await dispatcher.TestSendAsync(programId, webhookId) is not var (messageId, attempt))
        {
            return NoSuchWebhook();
        }
        return TypedResults.Ok(new TestDelivery(messageId, attempt.Delivered, attempt.Status, attempt.LatencyMs, attempt.Error,
            attempt.Response.Length == 0 ? null : attempt.Response));
    }
}
