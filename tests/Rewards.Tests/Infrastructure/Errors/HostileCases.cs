using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Activities;
using Rewards.Api.Features.Clients;
using Rewards.Api.Features.Gamification;
using Rewards.Api.Features.Insights;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Perks;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Http;
using Rewards.Api.Infrastructure.Time;
using Rewards.Tests.Infrastructure.OpenApi;
using StackExchange.Redis;

namespace Rewards.Tests.Infrastructure.Errors;

/// <summary>
/// Builds the hostile requests of <see cref="HostileInputTests"/> from the committed OpenAPI document: for every operation,
/// cases that each carry exactly one hostile element (a path or query value, a body edit, an Idempotency-Key) and real,
/// valid values of a <see cref="World"/> everywhere else; generic cases that are valid for one field say why
/// (<see cref="HostileCase.ValidBecause"/>). Fails when an operation has parts it cannot make cases for.
/// </summary>
internal static class HostileCases
{
    private static readonly string[] SkippedPrefixes = ["/health/"];

    /// <summary>
    /// About the signed-in person, with no input but the session cookie (the cases' caller holds a token, which these refuse
    /// with 403 whatever else): covered by PeopleTests and the authorization walk.
    /// </summary>
    private static readonly string[] SkippedOperations = ["GET /v1/me", "DELETE /v1/session", "DELETE /v1/me/sessions"];
    public const string Sentinel = "__hostile_value__";

    /// <summary>Hostile ids and keys: traversal, Redis key and Lua injection, globs, control and invisible characters, lengths.</summary>
    private static readonly (string Name, string Value)[] HostileIds =
    [
        ("path traversal", "../../etc/passwd"),
        ("inner traversal", "Europe/../Europe/Paris"),
        ("windows traversal", @"..\..\windows\win.ini"),
        ("encoded traversal", "%2e%2e%2f"),
        ("dot", "."),
        ("dot dot", ".."),
        ("slash", "a/b"),
        ("hash tag braces", "a{b}c"),
        ("redis key", "rw:{x}:program"),
        ("lua injection", "'; redis.call('FLUSHALL') --"),
        ("lua long string", "]]..redis.call('FLUSHALL')..[["),
        ("resp injection", "x\r\n*1\r\n$8\r\nFLUSHALL\r\n"),
        ("glob star", "*"),
        ("glob class", "[a-z]"),
        ("question mark", "?"),
        ("hash", "#"),
        ("percent", "%"),
        ("quote", "a\"b"),
        ("trailing newline", "abc\n"),
        ("trailing CRLF", "abc\r\n"),
        ("nul", "x\u0000y"),
        ("control", "x\u0001y"),
        ("del", "x\u007fy"),
        ("65 chars", new string('a', 65)),
        ("10k chars", new string('a', 10_000)),
        ("unicode", "é漢字🙂"),
        ("rtl override", "abc\u202Edef"),
        ("zero width", "a\u200Bb"),
        ("fullwidth", "ａｂｃ"),
        ("space", " "),
        ("inner space", "a b"),
        ("tab", "\t"),
        ("empty", ""),
    ];

    /// <summary>
    /// Free text a person reads (names, reasons, target ids, perk titles, news) legitimately holds unicode, punctuation,
    /// quotes and such; only emptiness, over-long values and control characters are hostile there, so these fields do
    /// not get <see cref="HostileIds"/>. The value is the field's maximum length.
    /// </summary>
    private static readonly Dictionary<string, int> FreeText = new(StringComparer.Ordinal)
    {
        ["ProgramRequest.name"] = ProgramLimits.MaxNameLength,
        ["MemberRequest.displayName"] = MemberLimits.MaxDisplayNameLength,
        ["ModerationRequest.reason"] = ActivityLimits.MaxReasonLength,
        ["AdjustmentRequest.note"] = Rewards.Api.Features.Lots.AdjustPoints.MaxNoteLength,
        ["BulkModerationRequest.reason"] = ActivityLimits.MaxReasonLength,
        ["RecordActivityRequest.targetId"] = ActivityLimits.MaxTargetIdLength,
        ["BatchActivityRequest.targetId"] = ActivityLimits.MaxTargetIdLength,
        ["CreateClientRequest.name"] = ClientLimits.MaxNameLength,
        ["TierRequest.name"] = GamificationLimits.MaxTierNameLength,
        ["BadgeRequest.name"] = GamificationLimits.MaxBadgeNameLength,
        ["CreatePerkRequest.title"] = PerkLimits.MaxTitle,
        ["CreatePerkRequest.description"] = PerkLimits.MaxDescription,
        ["EventRequest.venue"] = PerkLimits.MaxVenue,
        ["NewsRequest.body.*"] = PerkLimits.MaxBody, // the texts of the map
        ["CreateRewardRequest.title.*"] = Rewards.Api.Features.Catalogue.RewardLimits.MaxTitle,
        ["CreateRewardRequest.description.*"] = Rewards.Api.Features.Catalogue.RewardLimits.MaxDescription,
        ["AcceptInvitationRequest.displayName"] = Rewards.Api.Features.People.SessionApi.MaxDisplayNameLength,
        ["AcceptInvitationRequest.password"] = Rewards.Api.Features.People.PasswordRules.MaxLength,
        ["SignInRequest.password"] = Rewards.Api.Features.People.SessionApi.MaxPasswordInput,
        ["CreateWebhookRequest.description"] = Rewards.Api.Features.Webhooks.WebhookLimits.MaxDescriptionLength,
        ["PatchWebhookRequest.description"] = Rewards.Api.Features.Webhooks.WebhookLimits.MaxDescriptionLength,
    };

    /// <summary>
    /// Objects whose properties depend on a kind or a type: each variant lists the properties a valid object of it has.
    /// Cases are made on a valid object of each variant in turn (the first is the baseline's), and each property is
    /// edited in the first variant that has it. Other objects have one variant: all their properties.
    /// </summary>
    private static readonly Dictionary<string, (string Name, string[] Properties)[]> Variants = new(StringComparer.Ordinal)
    {
        ["CreatePerkRequest"] =
        [
            ("offer", ["kind", "title", "description", "offer", "audience", "schedule"]),
            ("event", ["kind", "title", "event", "audience", "schedule"]),
            ("news", ["kind", "title", "news", "audience", "schedule"]),
        ],
        ["AudienceRequest"] =
        [
            ("members", ["type", "memberIds"]),
            ("all", ["type"]),
            ("minLifetimePoints", ["type", "points"]),
            ("top", ["type", "board", "window", "period", "count"]),
            ("minTier", ["type", "tier"]),
            ("badge", ["type", "badge"]),
        ],
        ["ScheduleRequest"] = [("at", ["type", "at"]), ("now", ["type"]), ("cron", ["type", "cron", "timeZone"])],
        ["BadgeCondition"] = [("count", ["activityType", "count"]), ("lifetimePoints", ["lifetimePoints"]), ("streakDays", ["streakDays"])],
        ["CreateRewardRequest"] =
        [
            ("voucher", ["kind", "title", "description", "costPoints", "stock", "limit", "availableFrom", "availableUntil", "audience", "active"]),
            ("code", ["kind", "title", "costPoints", "codes", "generateCodes"]),
            ("perk", ["kind", "title", "costPoints", "perkId"]),
            ("physical", ["kind", "title", "costPoints"]),
        ],
    };

    /// <summary>The most items an array of objects takes, as the API checks it.</summary>
    private static readonly Dictionary<string, int> MaxItems = new(StringComparer.Ordinal)
    {
        ["ProgramRequest.tiers"] = GamificationLimits.MaxTiers,
        ["ProgramRequest.badges"] = GamificationLimits.MaxBadges,
        ["RecordActivityBatchRequest.activities"] = ActivityLimits.MaxBatchActivities,
    };

    public const string BaselineName = "baseline";

    public static async Task<List<Operation>> OperationsAsync()
    {
        var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, OpenApiDocumentTests.CommittedPath)));
        var operations = Operations(document.RootElement).ToList();
        Assert.True(operations.Count >= 20, $"only {operations.Count} operations in the document");
        return operations;
    }

    private static IEnumerable<Operation> Operations(JsonElement document)
    {
        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            if (SkippedPrefixes.Any(path.Name.StartsWith))
            {
                continue;
            }
            foreach (var operation in path.Value.EnumerateObject())
            {
                Assert.True(operation.Name is "get" or "put" or "post" or "delete" or "patch",
                    $"{path.Name}: '{operation.Name}' is no operation this test can generate cases for");
                if (SkippedOperations.Contains($"{operation.Name.ToUpperInvariant()} {path.Name}"))
                {
                    continue;
                }
                yield return new Operation(new HttpMethod(operation.Name.ToUpperInvariant()), path.Name, operation.Value, schemas);
            }
        }
    }

    public static List<HostileCase> Generate(Operation operation, World world)
    {
        var cases = new CaseGenerator(operation, world).Generate().ToList();
        var repeated = cases.GroupBy(c => c.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(repeated.Count == 0, $"{operation.Name}: case names repeat: {string.Join(", ", repeated)}");
        return cases;
    }

    /// <summary>The hostile cases of one operation: valid real values everywhere but in one place.</summary>
    private sealed class CaseGenerator(Operation operation, World world)
    {
        private readonly List<string> _pathParameters = operation.Parameters("path").Select(p => p.GetProperty("name").GetString()!).ToList();
        private readonly List<(string Name, JsonElement Schema)> _queryParameters =
            operation.Parameters("query").Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("schema"))).ToList();
        private readonly bool _takesIdempotencyKey = TakesIdempotencyKey(operation);
        private readonly (string Name, JsonElement Schema)? _bodySchema = BodySchemaOf(operation);
        private readonly string _mediaType = BodyMediaTypeOf(operation);

        /// <summary>JSON text sent with the operation's media type (application/merge-patch+json for a merge patch).</summary>
        private Body JsonBody(string text) => new(Encoding.UTF8.GetBytes(text), _mediaType);

        public static readonly (string Name, string? Json)[] MissingOrNull = [("missing", null), ("null", "null")];

        public IEnumerable<HostileCase> Generate()
        {
            yield return Case(BaselineName, Url(), Baseline(), validBecause: "valid values everywhere: the request each case alters");
            foreach (var parameter in _pathParameters)
            {
                foreach (var (name, value) in HostileIds.Where(h => CanBePathSegment(h.Value)).Append(("valid + newline", ValidPathValue(parameter) + "\n")))
                {
                    yield return Case($"path {parameter}: {name}", Url(new() { [parameter] = Uri.EscapeDataString(value) }), Baseline(),
                        validBecause: WhyValid($"path {parameter}", name));
                }
                foreach (var (name, value, status) in WrongTargets(parameter))
                {
                    yield return Case($"path {parameter}: {name}", Url(new() { [parameter] = value }), Baseline(), status);
                }
                // Sent as typed, not escaped: the server, not the client, decodes these.
                foreach (var raw in new[] { "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "a%2Fb", "%7B%7D", "%FF", "%C3%28" })
                {
                    yield return Case($"path {parameter}: raw {raw}", Url(new() { [parameter] = raw }), Baseline());
                }
            }

            foreach (var (parameter, schema) in _queryParameters)
            {
                foreach (var (name, value) in QueryValues(parameter, schema).Concat(QueryCasesOfOperation(parameter)))
                {
                    yield return Case($"query {parameter}: {name}", Url(query: (parameter, value)), Baseline(),
                        validBecause: WhyValid($"query {parameter}", name));
                }
            }

            if (TakesLastEventId(operation))
            {
                foreach (var (name, value) in HostileLastEventIds())
                {
                    // The EventSource specification sends no id as an empty one: the stream starts from now.
                    yield return Case($"{HostileCase.LastEventIdHeader}: {name}", Url(), Baseline(),
                        validBecause: value.Length == 0 ? "an empty Last-Event-ID is no id (EventSource): from now" : null) with { LastEventId = value };
                }
            }

            if (_takesIdempotencyKey)
            {
                foreach (var (name, key) in HostileIdempotencyKeys())
                {
                    yield return new HostileCase(operation.Name, $"Idempotency-Key: {name}", operation.Method, Url(), Baseline(), key);
                }
            }

            if (_bodySchema is { } body)
            {
                foreach (var hostile in BodyCases(body.Name, body.Schema))
                {
                    yield return hostile;
                }
            }
        }

        /// <summary>
        /// Values that never reach a path parameter, on any server: "." and ".." (also as %2E) are dot-segments, removed
        /// from the URL before routing, so the request lands on another route; and the server refuses a NUL in the
        /// path with 400 before the API sees it (the test host throws). The body cases send these as ids.
        /// </summary>
        private static bool CanBePathSegment(string value) => value is not ("." or "..") && !value.Contains('\0');

        /// <summary>A case with a fresh, valid Idempotency-Key where the operation takes one.</summary>
        private HostileCase Case(string name, string url, Body? body, int? expectedStatus = null, string? validBecause = null) =>
            new(operation.Name, name, operation.Method, url, body, _takesIdempotencyKey ? Guid.NewGuid().ToString() : null, expectedStatus, validBecause);

        private static IEnumerable<(string Name, string? Key)> HostileIdempotencyKeys() =>
        [
            ("missing", null),
            ("empty", ""),
            ("129 chars", new string('k', 129)),
            ("non-ASCII", "clé-🙂"),
            ("CJK", "漢字"),
            ("nul", "k\u0000y"),
            ("tab", "k\ty"),
            ("CRLF", "k\r\nX-Injected: 1"),
            ("DEL", "k\u007f"),
        ];

        /// <summary>The URL with valid path values and every query parameter valid, but for the overrides (a null query value: left out).</summary>
        private string Url(Dictionary<string, string>? overrides = null, (string Name, string? Value)? query = null)
        {
            var url = operation.Path;
            foreach (var parameter in _pathParameters)
            {
                var value = overrides?.GetValueOrDefault(parameter) ?? Uri.EscapeDataString(ValidPathValue(parameter));
                url = url.Replace($"{{{parameter}}}", value);
            }
            var pairs = _queryParameters
                .Select(p => (p.Name, Value: query is { } q && q.Name == p.Name ? q.Value : Uri.EscapeDataString(ValidQueryValue(p.Name))))
                .Where(p => p.Value is not null)
                .Select(p => $"{p.Name}={p.Value}")
                .ToList();
            return pairs.Count == 0 ? url : $"{url}?{string.Join('&', pairs)}";
        }

        private string ValidPathValue(string parameter) => parameter switch
        {
            "programId" => world.ProgramId,
            // Unflag clears the flag of the flagged member, reinstate the suspended one; the rest acts on the member with points and perks.
            "memberId" => operation.Id switch { "Unflag" => world.FlaggedMemberId, "Reinstate" => world.SuspendedMemberId, _ => world.MemberId },
            // Approve and reject find the pending activity; reverse takes back an awarded one.
            "activityId" => operation.Path.EndsWith("/reverse", StringComparison.Ordinal) ? world.AwardedActivityId : world.PendingActivityId,
            "clientId" => world.ClientId,
            "board" => "review",
            "period" => ProgramTimeWeek(world.Now.AddDays(-7)),
            // RSVP answers the event the member is invited to; claim, codes and the perk operations act on the offer
            // with codes granted to the member.
            "perkId" => operation.Id == "Rsvp" ? world.EventPerkId : world.OfferPerkId,
            "rewardId" => world.RewardId,
            // Confirm and cancel move the member's hold; the rest reads or ships the member's confirmed physical reward.
            "redemptionId" => operation.Id is "Confirm" or "Cancel" ? world.HeldRedemptionId : world.PhysicalRedemptionId,
            // An invited person (no password yet) holding a role in the world's program.
            "personId" => world.PersonId,
            "webhookId" => world.WebhookId,
            // An event of the program's stream: any may be replayed to an endpoint.
            "eventId" => world.WebhookEventId,
            _ => throw new Xunit.Sdk.XunitException($"{operation.Name}: no valid value known for path parameter '{parameter}'; add one."),
        };

        /// <summary>Well-formed ids of the wrong thing: unknown, deleted, of another tenant, of another kind, not granted.</summary>
        private IEnumerable<(string Name, string Value, int? Status)> WrongTargets(string parameter)
        {
            switch (parameter, operation.Id)
            {
                case ("programId", _):
                    yield return ("unknown program", world.NewProgramId, null);
                    break;
                case ("perkId", _):
                    yield return ("unknown perk", "0123456789abcdef0123456789abcdef", 404);
                    yield return ("upper-case perk id", ValidPathValue(parameter).ToUpperInvariant(), 404);
                    yield return ("deleted perk", world.DeletedPerkId, 404);
                    yield return ("perk of another program", world.OtherPerkId, 404);
                    // Claims are for offers, answers for events; codes go to offers.
                    foreach (var (kind, perkId) in new[] { ("offer", world.OfferPerkId), ("event", world.EventPerkId), ("news", world.NewsPerkId) })
                    {
                        if (operation.Id is "Claim" or "Rsvp" or "AddCodes" && perkId != ValidPathValue(parameter)
                            && !(operation.Id == "AddCodes" && kind == "offer"))
                        {
                            yield return ($"{kind} perk", perkId, 409);
                        }
                    }
                    break;
                case ("webhookId", _):
                    yield return ("unknown webhook", "0123456789abcdef0123456789abcdef", 404);
                    yield return ("upper-case webhook id", world.WebhookId.ToUpperInvariant(), 404);
                    yield return ("webhook of another program", world.OtherWebhookId, 404);
                    break;
                case ("eventId", _):
                    yield return ("unknown event", "1-0", 404);
                    yield return ("event id far ahead", "99999999999999-0", 404);
                    break;
                case ("memberId", "Claim" or "Rsvp"):
                    yield return ("member without the grant", world.FlaggedMemberId, 404);
                    yield return ("suspended member", world.SuspendedMemberId, 409);
                    yield return ("unknown member", "m-nobody", 404);
                    break;
                // Writing a profile creates the member; elsewhere an unknown member is not found.
                case ("memberId", not "PutMember"):
                    yield return ("unknown member", "m-nobody", 404);
                    break;
            }
        }

        private static string ProgramTimeWeek(DateTimeOffset instant) =>
            ProgramTime.WeekId(DateOnly.FromDateTime(instant.UtcDateTime));

        /// <summary>A valid value of each query parameter: the baseline of every request carries them all.</summary>
        private string ValidQueryValue(string parameter) => parameter switch
        {
            "window" => "week",
            "period" => ProgramTimeWeek(world.Now),
            "offset" => "0",
            "limit" => "10",
            "around" => "2",
            "cursor" => "1-0",
            "from" => ProgramTime.DayId(world.Today.AddDays(-6)),
            "to" => ProgramTime.DayId(world.Today),
            "days" => "30",
            "locale" => "fr-FR",
            "flagged" => "true",
            "status" => "active",
            "tier" => "none",
            "idPrefix" => "m",
            "namePrefix" => "Al",
            "state" => "claimed",
            "format" => "json",
            "after" => "1-0",
            "types" => "activity.awarded",
            _ => throw new Xunit.Sdk.XunitException($"{operation.Name}: no valid value known for query parameter '{parameter}'; add one."),
        };

        private IEnumerable<(string Name, string? Value)> QueryValues(string parameter, JsonElement schema) =>
            schema.GetProperty("type").GetString() switch
            {
                "integer" =>
                [
                    ("negative", "-1"), ("int32 max", "2147483647"), ("int32 overflow", "2147483648"), ("huge", "99999999999999999999"),
                    ("non-numeric", "abc"), ("fraction", "1.5"), ("hex", "0x10"), ("arabic digit", "%D9%A1"),
                    ("nul", "%00"), ("empty", ""), ("repeated", $"1&{parameter}=2"),
                    // Not "valid + newline": integers are parsed allowing surrounding white space, so "5\n" is 5.
                ],
                "boolean" =>
                [
                    ("yes", "yes"), ("one", "1"), ("zero", "0"), ("empty", ""), ("nul", "%00"), ("object", "%7B%7D"),
                    ("repeated", $"{ValidQueryValue(parameter)}&{parameter}={ValidQueryValue(parameter)}"),
                    ("valid + newline", Uri.EscapeDataString(ValidQueryValue(parameter) + "\n")),
                ],
                "string" => HostileIds.Select(h => (h.Name, (string?)Uri.EscapeDataString(h.Value)))
                    .Append(("valid + newline", Uri.EscapeDataString(ValidQueryValue(parameter) + "\n")))
                    .Append(("repeated", $"{ValidQueryValue(parameter)}&{parameter}={ValidQueryValue(parameter)}")),
                var type => throw new Xunit.Sdk.XunitException($"{operation.Name}: query parameter '{parameter}' of type '{type}' has no hostile values; add some."),
            };

        /// <summary>Values only one operation's contract makes hostile: its dates, a parameter it requires.</summary>
        private IEnumerable<(string Name, string? Value)> QueryCasesOfOperation(string parameter)
        {
            var today = world.Today;
            IEnumerable<(string, string?)> dates =
            [
                ("month 13", "2026-13-01"), ("30 February", "2026-02-30"), ("1999", "1999-12-31"), ("not zero-padded", "2026-11-8"),
                ("with a time", "2026-11-18T00%3A00%3A00Z"), ("ISO week", "2026-W47"), ("digits only", "20261118"), ("missing year", "11-18"),
            ];
            return (operation.Id, parameter) switch
            {
                // KPIs of at most InsightsLimits.MaxStatsDays days, from ≤ to.
                ("GetStats", "from") => dates.Concat(
                [
                    ($"{InsightsLimits.MaxStatsDays + 1} days", ProgramTime.DayId(today.AddDays(-InsightsLimits.MaxStatsDays))),
                    ("after to", ProgramTime.DayId(today.AddDays(1))),
                ]),
                ("GetStats", "to") => dates.Concat(
                [
                    ("before from", ProgramTime.DayId(today.AddDays(-7))), ("year 9999", "9999-12-31"),
                ]),
                _ => [],
            };
        }

        private Body? Baseline() => _bodySchema is { } body ? JsonBody(ValidObject(body.Name, body.Schema).ToJsonString()) : null;

        private IEnumerable<HostileCase> BodyCases(string schemaName, JsonElement schema)
        {
            var baseline = ValidObject(schemaName, schema);
            var valid = baseline.ToJsonString();
            var url = Url();
            var whole = new List<(string Name, string Json)>
            {
                ("malformed {", "{"),
                ("malformed [", "["),
                ("malformed nul", "nul"),
                ("empty body", ""),
                ("single quotes", "{'a': 1}"),
                ("trailing garbage", valid + " x"),
                ("two documents", valid + valid),
                ("comment", "/* hi */ " + valid),
                ("trailing comma", valid[..^1] + ",}"),
                ("NaN literal", "NaN"),
                ("deep nesting", new string('[', 5_000) + new string(']', 5_000)),
                ("deep objects", string.Concat(Enumerable.Repeat("{\"a\":", 2_000)) + "1" + new string('}', 2_000)),
                ("array root", "[]"),
                ("array of body", $"[{valid}]"),
                ("string root", "\"text\""),
                ("number root", "5"),
                ("true root", "true"),
                ("null root", "null"),
                ("empty object", "{}"),
                ("unknown property", valid[..^1] + ",\"unexpected\":true}"),
                ("only unknown property", "{\"unexpected\":true}"),
            };
            foreach (var (name, json) in whole)
            {
                yield return Case($"body: {name}", url, JsonBody(json), validBecause: WhyValid("body", name));
            }

            // Refused by size before it is read; the padding is whitespace, so only the size is wrong.
            var maxBody = operation.Id == nameof(RecordActivityBatch) ? ActivityLimits.MaxBatchBodyBytes : HttpSetup.MaxBodyBytes;
            yield return Case($"body: over {maxBody / 1024} KiB", url, JsonBody("{" + new string(' ', (int)maxBody) + valid[1..]), expectedStatus: 413);
            yield return Case("body: invalid UTF-8", url, new Body([.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8]));
            yield return Case("body: UTF-16", url, new Body(Encoding.Unicode.GetBytes(valid)));
            yield return Case("body: text/plain", url, new Body(Encoding.UTF8.GetBytes(valid), "text/plain"));
            yield return Case("body: form", url, new Body("a=1"u8.ToArray(), "application/x-www-form-urlencoded"));
            yield return Case("body: no content type", url, new Body(Encoding.UTF8.GetBytes(valid), ContentType: null));
            yield return Case("body: no body", url, body: null, validBecause: WhyValid("body", "no body"));

            foreach (var edit in PropertyEdits(schemaName, schema, [], "", baseline))
            {
                yield return Case($"body {edit.Label}: {edit.Name}", url, JsonBody(edit.Apply()), validBecause: WhyValid(edit.Field, edit.Name));
            }
        }

        /// <summary>
        /// Edits of each property of an object schema, in each of its variants, recursing into nested objects, maps and
        /// arrays of objects. <paramref name="root"/> is the whole valid body the edits apply to.
        /// </summary>
        private IEnumerable<BodyEdit> PropertyEdits(string schemaName, JsonElement schema, string[] at, string label, JsonObject root)
        {
            var properties = PropertiesOf(schemaName, schema);
            var variants = VariantsOf(schemaName, properties);
            var edited = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < variants.Count; i++)
            {
                var (variant, names) = variants[i];
                // The first variant is the baseline's; another replaces it, so that each edit has one hostile element still.
                var variantRoot = i == 0 ? root : BodyEdit.Replace(root, at, ValidObject(schemaName, schema, variant));
                var variantLabel = variants.Count == 1 ? label : $"{label}<{variant}>";
                foreach (var propertyName in names.Where(edited.Add))
                {
                    var property = properties.GetProperty(propertyName);
                    var field = $"{schemaName}.{propertyName}";
                    string[] path = [.. at, propertyName];
                    var propertyLabel = variantLabel.Length == 0 ? propertyName : $"{variantLabel}.{propertyName}";
                    foreach (var (name, json) in MissingOrNull.Concat(ValueCases(field, property, variant).Select(c => (c.Name, (string?)c.Json))))
                    {
                        yield return new BodyEdit(variantRoot, path, propertyLabel, field, name, json);
                    }
                    var nested = Enumerable.Empty<BodyEdit>();
                    if (Resolve(property) is { } reference)
                    {
                        nested = PropertyEdits(reference.Name, reference.Schema, path, propertyLabel, variantRoot);
                    }
                    else if (property.TryGetProperty("additionalProperties", out var values))
                    {
                        nested = Resolve(values) is { } item
                            ? MapEdits(field, item.Name, item.Schema, path, propertyLabel, variantRoot)
                            : TextMapEdits(field, values, path, propertyLabel, variantRoot);
                    }
                    else if (property.TryGetProperty("items", out var items) && Resolve(items) is { } element)
                    {
                        // The properties of the first item; the array as a whole gets its cases from ValueCases.
                        nested = PropertyEdits(element.Name, element.Schema, [.. path, "0"], $"{propertyLabel}.0", variantRoot);
                    }
                    foreach (var edit in nested)
                    {
                        yield return edit;
                    }
                }
            }
        }

        /// <summary>A map of objects (rules by activity type): hostile keys, too many entries, and each value's properties.</summary>
        private IEnumerable<BodyEdit> MapEdits(string field, string itemName, JsonElement itemSchema, string[] path, string label, JsonObject root)
        {
            var validItem = ValidObject(itemName, itemSchema).ToJsonString();
            var validKey = ((JsonObject)ValidValue(field)).First().Key;
            foreach (var (name, key) in HostileIds.Append(("reserved board", ProgramRules.PointsBoard)).Append(("upper case", "Review"))
                .Append(("valid + newline", validKey + "\n")))
            {
                yield return new BodyEdit(root, path, label, field, $"key {name}",
                    $"{{{JsonSerializer.Serialize(validKey)}:{validItem},{JsonSerializer.Serialize(key)}:{validItem}}}");
            }
            yield return new BodyEdit(root, path, label, field, $"{ProgramLimits.MaxRules + 1} entries",
                "{" + string.Join(",", Enumerable.Range(0, ProgramLimits.MaxRules + 1).Select(i => $"\"t{i}\":{validItem}")) + "}");
            string[] itemPath = [.. path, validKey];
            var itemLabel = $"{label}.{validKey}";
            foreach (var (name, json) in new[] { ("null", "null"), ("string", "\"x\""), ("number", "5"), ("array", "[]"), ("true", "true"), ("empty object", "{}") })
            {
                yield return new BodyEdit(root, itemPath, itemLabel, itemName, name, json);
            }
            foreach (var edit in PropertyEdits(itemName, itemSchema, itemPath, itemLabel, root))
            {
                yield return edit;
            }
        }

        /// <summary>
        /// A map of texts (news by locale): hostile keys, too many entries, a missing default, and hostile texts. The texts
        /// are the field <c>{field}.*</c>.
        /// </summary>
        private IEnumerable<BodyEdit> TextMapEdits(string field, JsonElement values, string[] path, string label, JsonObject root)
        {
            Assert.True(values.TryGetProperty("type", out var type) && type.GetString() == "string",
                $"{operation.Name}: {field} is a map of {values}; add cases.");
            var valid = (JsonObject)ValidValue(field);
            var (validKey, validText) = valid.First();
            string With(string key) => valid.ToJsonString()[..^1] + $",{Json(key)}:{validText!.ToJsonString()}}}";
            foreach (var (name, key) in HostileIds.Append(("valid + newline", validKey + "\n")).Append(("locale + newline", "fr\n")))
            {
                yield return new BodyEdit(root, path, label, field, $"key {name}", With(key));
            }
            // Texts in at most PerkLimits.MaxBodyLocales locales.
            yield return new BodyEdit(root, path, label, field, $"{PerkLimits.MaxBodyLocales + 1} entries",
                "{" + string.Join(",", Enumerable.Range(0, PerkLimits.MaxBodyLocales + 1).Select(i => $"{Json(i == 0 ? validKey : $"x{(char)('a' + i / 26)}{(char)('a' + i % 26)}")}:{validText!.ToJsonString()}")) + "}");
            string[] textPath = [.. path, validKey];
            var textLabel = $"{label}.{validKey}";
            foreach (var (name, json) in MissingOrNull.Concat(ValueCases($"{field}.*", values, null).Select(c => (c.Name, (string?)c.Json))))
            {
                yield return new BodyEdit(root, textPath, textLabel, $"{field}.*", name, json);
            }
        }

        /// <summary>Values of the wrong type or out of bounds for one property, by its declared type.</summary>
        private IEnumerable<(string Name, string Json)> ValueCases(string field, JsonElement schema, string? variant)
        {
            var type = schema.TryGetProperty("type", out var t) ? t.GetString() : null;
            var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
            IEnumerable<(string Name, string Json)> wrongTypes =
                [("number", "5"), ("object", "{}"), ("array", "[]"), ("true", "true"), ("string array", "[\"a\"]")];
            switch (type, format)
            {
                case ("string", "date-time"):
                    return wrongTypes.Concat(
                    [
                        ("valid + newline", Json(ValidValue(field, variant).GetValue<string>() + "\n")),
                        ("not a date", "\"yesterday\""), ("empty", "\"\""), ("month 13", "\"2026-13-01T00:00:00Z\""),
                        ("30 February", "\"2026-02-30T00:00:00Z\""), ("unix seconds string", "\"1763460000\""),
                        ("year 9999", "\"9999-12-31T23:59:59Z\""), ("year 2000", "\"2000-01-01T00:00:00Z\""), ("year 1", "\"0001-01-01T00:00:00Z\""),
                        ("below DateTimeOffset.MinValue", "\"0001-01-01T00:00:00+14:00\""),
                        ("above DateTimeOffset.MaxValue", "\"9999-12-31T23:59:59-14:00\""),
                        ("10k chars", Json(new string('1', 10_000))), ("nul", Json("2026-11-18T10:00:00Z\u0000")),
                    ]);
                case ("string", _):
                    return wrongTypes.Concat(StringCases(field)).Append(("valid + newline", Json(ValidValue(field, variant).GetValue<string>() + "\n")));
                case ("integer", _):
                    (string Name, string Json)[] bounds = format == "int64"
                        ? [("int64 max", "9223372036854775807"), ("int64 min", "-9223372036854775808"), ("int64 overflow", "9223372036854775808")]
                        : [("int32 max", "2147483647"), ("int32 min", "-2147483648"), ("int32 overflow", "2147483648")];
                    return wrongTypes.Where(w => w.Name != "number").Concat(
                    [
                        ("numeric string", "\"5\""), ("NaN string", "\"NaN\""), ("negative", "-1"), ("zero", "0"), ("fraction", "1.5"),
                        ("exponent", "1e3"), ("20 digits", "99999999999999999999"), ("1e309", "1e309"), ("-1e309", "-1e309"),
                    ]).Concat(bounds);
                case ("boolean", _):
                    return [("string", "\"true\""), ("one", "1"), ("zero", "0"), ("object", "{}"), ("array", "[]"), ("yes", "\"yes\"")];
                case ("array", _) when Resolve(schema.GetProperty("items")) is not null:
                    return ObjectArrayCases(field);
                case ("array", _):
                    var items = schema.GetProperty("items");
                    Assert.True(items.GetProperty("type").GetString() == "string", $"{operation.Name}: {field} is an array of {items}; add cases.");
                    var first = Json(ValidValue(field)[0]!.GetValue<string>());
                    return new[]
                    {
                        ("string", "\"a\""), ("object", "{}"), ("number", "5"), ("true", "true"), ("empty", "[]"),
                        ("number item", "[5]"), ("null item", "[null]"), ("nested array", "[[\"a\"]]"), ("duplicate items", $"[{first},{first}]"),
                        ("operator scope", $"[\"{Scopes.Admin}\"]"), ("member scope", $"[\"{Scopes.Member}\"]"),
                        ("item valid + newline", $"[{Json(ValidValue(field)[0]!.GetValue<string>() + "\n")}]"),
                    }.Concat(StringCases(field).Select(s => ($"item {s.Name}", $"[{s.Json}]")));
                case ("object", _) when schema.TryGetProperty("additionalProperties", out _):
                    return [("string", "\"x\""), ("number", "5"), ("array", "[]"), ("true", "true"), ("empty object", "{}")];
                case (null, _) when schema.TryGetProperty("$ref", out _):
                    return [("string", "\"x\""), ("number", "5"), ("array", "[]"), ("true", "true"), ("empty object", "{}")];
                default:
                    throw new Xunit.Sdk.XunitException($"{operation.Name}: {field} ({type}/{format}) has no hostile values; add some.");
            }
        }

        /// <summary>An array of objects as a whole: wrong types, bad items, duplicates, order, one item too many.</summary>
        private IEnumerable<(string Name, string Json)> ObjectArrayCases(string field)
        {
            Assert.True(MaxItems.TryGetValue(field, out var max), $"{operation.Name}: {field} is an array of objects without a known maximum; add one.");
            var items = Enumerable.Range(0, max + 1).Select(i => ValidItem(field, i).ToJsonString()).ToList();
            return
            [
                ("string", "\"a\""), ("object", "{}"), ("number", "5"), ("true", "true"), ("empty", "[]"),
                ("null item", "[null]"), ("number item", "[5]"), ("string item", "[\"a\"]"), ("nested array", "[[]]"), ("empty object item", "[{}]"),
                ("duplicate items", $"[{items[0]},{items[0]}]"), ("reversed", $"[{items[1]},{items[0]}]"),
                ($"{max + 1} items", $"[{string.Join(",", items)}]"),
            ];
        }

        /// <summary>Ids, types, zones, locales and scopes refuse every hostile id; free text refuses only blanks, lengths and controls.</summary>
        private static IEnumerable<(string Name, string Json)> StringCases(string field)
        {
            IEnumerable<(string Name, string Json)> common =
            [
                ("lone surrogate", "\"x\\uD800y\""),
                ("lone low surrogate", "\"\\uDC00\""),
                ("unescaped control", "\"x\u0001y\""),
                ("unescaped newline", "\"x\ny\""),
            ];
            if (FreeText.TryGetValue(field, out var max))
            {
                return common.Concat(new (string, string)[]
                {
                    ("empty", ""), ("blank", "   "), ($"{max + 1} chars", new string('x', max + 1)), ("10k chars", new string('x', 10_000)),
                    ("nul", "x\u0000y"), ("control", "x\u0001y"), ("newline", "a\nb"), ("del", "x\u007fy"), ("C1 control", "x\u0085y"),
                    ("ANSI escape", "\u001b[31mred"),
                }.Select(c => (c.Item1, Json(c.Item2))));
            }
            return common.Concat(HostileIds.Select(h => (h.Name, Json(h.Value))));
        }

        /// <summary>The reason a generic case is a valid request for this operation and field (so it is not sent as hostile), or null.</summary>
        private string? WhyValid(string field, string @case) => (operation.Id, field, @case) switch
        {
            // An empty last segment is another route: GET .../perks/ lists the perks.
            ("GetPerk", "path perkId", "empty") => "the list of perks",
            ("GetReward", "path rewardId", "empty") => "the catalogue",
            ("GetRedemption", "path redemptionId", "empty") => "the list of redemptions",
            ("GetMemberRedemption", "path redemptionId", "empty") => "the member's redemptions",
            ("GetWebhook", "path webhookId", "empty") => "the list of webhook endpoints",
            ("GetProgram", "path programId", "empty") => "the list of programs",
            ("GetMember", "path memberId", "empty") => "the list of members",
            ("GetPerson", "path personId", "empty") => "the list of people",
            // Booleans are parsed allowing surrounding white space.
            ("ListMembers", "query flagged", "valid + newline") => "'true\\n' is true",
            // Any plain text can start a display name: punctuation, quotes and such are searched for, not refused.
            ("ListMembers", "query namePrefix", var c) when HostileIds.Any(h => h.Name == c && Rewards.Api.Infrastructure.Ids.IsPlainText(h.Value, 100))
                => "plain text: the start of a display name",
            // Repeated `types` are joined with a comma: a list of event types.
            ("ListEvents", "query types", "repeated") => "the values, joined by a comma, are a list of event types",
            ("ListMembers", "query namePrefix", "repeated") => "the values, joined by a comma, are plain text: the start of a display name",
            // Repeated scopes are held once.
            ("CreateClient", "CreateClientRequest.scopes", "duplicate items") => "a client holds each scope once",
            // The profile's fields are all optional: {} clears display name and locale.
            ("PutMember", "body", "empty object") => "a profile without name and locale",
            // Approving or rejecting needs no reason, so no body (an empty one too), null and {} approve or reject.
            ("Approve" or "Reject", "body", "empty object" or "null root" or "no body" or "empty body") => "the reason is optional",
            ("Approve" or "Reject", "ModerationRequest.reason", "missing" or "null") => "the reason is optional",
            // A merge patch changes what it names and keeps the rest: any member may be left out, the empty patch changes nothing.
            // (Inside tiers and badges, arrays that a patch replaces whole, every item is complete.)
            // (The world's program has no CORS settings: an empty cors object adds one without its required origins.)
            ("PatchProgram", _, "missing" or "empty object") when !(field == "ProgramRequest.cors" && @case == "empty object")
                && (field.StartsWith("ProgramRequest", StringComparison.Ordinal) || field.StartsWith("RedemptionSettingsRequest", StringComparison.Ordinal)
                || field.StartsWith("EarningRuleRequest", StringComparison.Ordinal) || field.StartsWith("VelocityRequest", StringComparison.Ordinal)) =>
                "a merge patch keeps what it leaves out",
            ("PatchProgram", "body", "empty object") => "the empty merge patch changes nothing",
            ("PatchProgram", "ProgramRequest.id", "null") => "null removes the id, which the URL gives",
            ("ModerateMany", "BulkModerationRequest.reason", "missing" or "null") => "the reason is optional",
            // An adjustment removes points when negative; its note and the lifetime flag are optional.
            ("AdjustPoints", "AdjustmentRequest.points", "negative") => "a negative adjustment removes points",
            ("AdjustPoints", "AdjustmentRequest.note" or "AdjustmentRequest.countsTowardLifetime", "missing" or "null") => "optional field",
            // No expiry policy is 'none', the default.
            (_, "ProgramRequest.pointsExpiry", "missing" or "null") => "optional field: points never expire",
            // No expiry notice is 0, the default: 'points.expiring' is off.
            (_, "ProgramRequest.expiringNoticeDays", "missing" or "null" or "zero") => "optional field: 0 or absent is no notice",
            // An update takes the id from the URL.
            ("UpdateProgram", "ProgramRequest.id", "missing" or "null") => "the id may be omitted on update",
            (_, "RecordActivityRequest.targetId" or "RecordActivityRequest.occurredAt", "missing" or "null") => "optional field",
            (_, "BatchActivityRequest.targetId" or "BatchActivityRequest.occurredAt", "missing" or "null") => "optional field",
            (_, "RecordActivityBatchRequest.activities", "reversed") => "a batch's activities are decided in the order sent",
            // An idempotency key is any 1–128 printable ASCII characters, as in the Idempotency-Key header.
            (_, "BatchActivityRequest.idempotencyKey", _) when HostileIds.FirstOrDefault(h => h.Name == @case).Value is { } key
                && key.Length <= Rewards.Api.Infrastructure.Ids.MaxIdempotencyKeyLength && key.All(c => c is >= ' ' and <= '~') => "any printable ASCII key",
            (_, "MemberRequest.displayName" or "MemberRequest.locale", "missing" or "null") => "optional field",
            (_, "ProgramRequest.leaderboardRetention", "missing" or "null") => $"optional field, defaults to {ProgramLimits.DefaultLeaderboardRetention}",
            (_, "EarningRuleRequest.dailyCap" or "EarningRuleRequest.weeklyCap" or "EarningRuleRequest.cooldownSeconds"
                or "EarningRuleRequest.uniquePerTarget" or "EarningRuleRequest.requiresApproval", "missing" or "null") => "optional field",

            // Tiers, badges and the velocity limit are optional; a program may have none.
            (_, "ProgramRequest.tiers" or "ProgramRequest.badges" or "ProgramRequest.velocity", "missing" or "null") => "optional field",
            (_, "ProgramRequest.tiers" or "ProgramRequest.badges", "empty") => "a program without tiers or badges",
            (_, "ProgramRequest.badges", "reversed") => "badges have no order",
            (_, "TierRequest.minLifetimePoints", "zero") => "the first tier may start at 0 points",
            // Browser origins are optional (none allowed by default); repeated ones are held once.
            (_, "ProgramRequest.cors", "missing" or "null") => "optional field: no browser origin allowed",
            // Webhooks: event types (every type when left out), description and enabled (true) are optional; a PATCH changes what it names.
            (_, "CreateWebhookRequest.eventTypes" or "CreateWebhookRequest.description" or "CreateWebhookRequest.enabled", "missing" or "null") =>
                "optional field",
            (_, "PatchWebhookRequest.url" or "PatchWebhookRequest.eventTypes" or "PatchWebhookRequest.description" or "PatchWebhookRequest.enabled",
                "missing" or "null") => "optional field: left as it is",
            (_, "CreateWebhookRequest.eventTypes" or "PatchWebhookRequest.eventTypes", "operator scope" or "member scope") =>
                "a scope name is a well-formed event type name",
            (_, "ReplayRequest.since", "year 2000") => "every failure since 2000: all of them",
            (_, "CorsRequest.allowedOrigins", "empty") => "no browser origin allowed",
            (_, "CorsRequest.allowedOrigins", "duplicate items") => "a repeated origin is held once",

            // Optional perk settings: an offer may get its codes later and need not expire.
            (_, "CreatePerkRequest.description", "missing" or "null") => "optional field",
            (_, "OfferRequest.codes" or "OfferRequest.generateCodes" or "OfferRequest.expiresAt", "missing" or "null") => "optional field",
            (_, "CreatePerkRequest.offer", "empty object") => "an offer whose codes are added later",
            (_, "OfferRequest.codes", "empty") => "an offer with generated codes only",
            // Perk instants: any future one; a schedule in the past runs at once, early access in the past is open already.
            // (An offer expired or an event started before the perk exists is refused.)
            (_, "OfferRequest.expiresAt" or "EventRequest.startsAt" or "NewsRequest.publicAt" or "ScheduleRequest.at", "year 9999") =>
                "a future instant",
            (_, "ScheduleRequest.at", "year 2000" or "year 1") => "a past instant: the grant runs at once",
            (_, "NewsRequest.earlyAt", "year 2000" or "year 1") => "early access open since then",
            // Member ids and codes are [A-Za-z0-9._-]: scope names are well-formed ones; in a body "." and ".." are no path segments.
            (_, "AudienceRequest.memberIds" or "OfferRequest.codes" or "CodesRequest.codes", "operator scope" or "member scope") =>
                "a scope name is a well-formed member id and code",
            (_, "OfferRequest.codes" or "CodesRequest.codes", "item dot" or "item dot dot") => "'.' and '..' are well-formed codes",
            (_, "AudienceRequest.memberIds", "duplicate items") => "repeated member ids are granted once",
            (_, "AudienceRequest.points", "zero") => "every active member from 0 lifetime points",
            // News texts keep their line breaks; 10,000 characters is the longest text allowed.
            (_, "NewsRequest.body.*", "newline" or "valid + newline") => "news texts may have line breaks",
            (_, "NewsRequest.body.*", "10k chars") => $"{PerkLimits.MaxBody:N0} characters is the maximum",
            // Redemption settings are optional, each with its default.
            (_, "ProgramRequest.redemptions", "missing" or "null" or "empty object") => "optional: the defaults apply",
            (_, "RedemptionSettingsRequest.membersMayRedeem" or "RedemptionSettingsRequest.holdMinutes", "missing" or "null") => "optional: the default applies",
            // Rewards: a merge patch keeps what it leaves out; the empty patch changes nothing.
            ("PatchReward", "body", "empty object") => "the empty merge patch changes nothing",
            // (The world's reward has a title but no description nor limit: a partial one of those is incomplete.)
            ("PatchReward", _, "missing") when field.StartsWith("CreateRewardRequest.", StringComparison.Ordinal)
                && field is not ("CreateRewardRequest.codes" or "CreateRewardRequest.generateCodes" or "CreateRewardRequest.perkId"
                    or "CreateRewardRequest.description.*") =>
                "a merge patch keeps what it leaves out",
            ("PatchReward", "RewardAudienceRequest.minTier" or "RewardAudienceRequest.badge", "missing") => "a merge patch keeps what it leaves out",
            ("PatchReward", "CreateRewardRequest.title", "empty object") =>
                "an empty object merges nothing in",
            ("CreateReward" or "PatchReward", "CreateRewardRequest.description" or "CreateRewardRequest.stock" or "CreateRewardRequest.limit"
                or "CreateRewardRequest.availableFrom" or "CreateRewardRequest.availableUntil" or "CreateRewardRequest.audience"
                or "CreateRewardRequest.active", "missing" or "null") => "optional field",
            ("CreateReward", "CreateRewardRequest.codes" or "CreateRewardRequest.generateCodes", "missing" or "null") => "optional: the other fills the pool",
            ("CreateReward", "CreateRewardRequest.codes", "empty") => "generated codes only",
            ("CreateReward", "CreateRewardRequest.codes", "operator scope" or "member scope" or "item dot" or "item dot dot") => "a well-formed code",
            (_, "CreateRewardRequest.stock", "zero") => "a reward out of stock",
            (_, "CreateRewardRequest.audience", "empty object") => "no audience: every member",
            (_, "CreateRewardRequest.availableFrom", "year 2000" or "year 1") => "available since then",
            (_, "CreateRewardRequest.availableUntil", "year 9999") => "available until then",
            (_, "RewardLimitRequest.per", "missing" or "null") => "optional: ever",
            (_, "RewardAudienceRequest.minTier" or "RewardAudienceRequest.badge", "missing" or "null") => "optional field",
            (_, "RedeemRequest.quantity" or "RedeemRequest.holdMinutes", "missing" or "null") => "optional field",
            // Quota overrides: a field left out or null goes back to the configured default; {} clears every override.
            ("PutQuotas", "body", "empty object") => "every quota back to its default",
            // E-mail addresses are trimmed (and lower-cased) before use.
            (_, "InviteRequest.email" or "OperatorInviteRequest.email" or "SignInRequest.email", "valid + newline") => "addresses are trimmed",
            // A role is enabled unless said otherwise.
            (_, "UpdateRoleRequest.disabled", "missing" or "null") => "optional: the role is enabled",
            (_, "QuotaOverrides.maxPerks" or "QuotaOverrides.maxCodesPerPool" or "QuotaOverrides.maxCodesPerRequest" or "QuotaOverrides.maxClients"
                or "QuotaOverrides.minCronIntervalMinutes", "missing" or "null") => "optional: the default applies",
            _ => null,
        };

        /// <summary>A valid object of a schema, in its given variant (by default the first): every property of the variant with a real value.</summary>
        private JsonObject ValidObject(string schemaName, JsonElement schema, string? variant = null)
        {
            var properties = PropertiesOf(schemaName, schema);
            var variants = VariantsOf(schemaName, properties);
            var (name, names) = variant is null ? variants[0] : variants.Single(v => v.Name == variant);
            var result = new JsonObject();
            foreach (var propertyName in names)
            {
                var property = properties.GetProperty(propertyName);
                result[propertyName] = Resolve(property) is { } nested
                    ? ValidObject(nested.Name, nested.Schema)
                    : ValidValue($"{schemaName}.{propertyName}", name);
            }
            return result;
        }

        /// <summary>A valid value of a field that is no object of its own; discriminators (kind, type) take the variant's name.</summary>
        private JsonNode ValidValue(string field, string? variant = null) => field switch
        {
            "RecordActivityRequest.memberId" => world.MemberId,
            "RecordActivityRequest.type" => "review",
            "RecordActivityRequest.targetId" => "t-2",
            "RecordActivityRequest.occurredAt" => world.Now.AddMinutes(-1).ToString("O"),
            // One activity: a hostile edit of it must leave nothing recorded.
            "RecordActivityBatchRequest.activities" => new JsonArray(ValidItem(field, 0)),
            "BatchActivityRequest.idempotencyKey" => "batch-key-0",
            "BatchActivityRequest.memberId" => world.MemberId,
            "BatchActivityRequest.type" => "review",
            "BatchActivityRequest.targetId" => "t-3",
            "BatchActivityRequest.occurredAt" => world.Now.AddMinutes(-1).ToString("O"),
            "ModerationRequest.reason" => "checked by a moderator",
            // An awarded activity: rejecting it answers a per-id conflict and changes nothing.
            "BulkModerationRequest.action" => "reject",
            "BulkModerationRequest.activityIds" => new JsonArray(world.AwardedActivityId),
            "BulkModerationRequest.reason" => "checked by a moderator",
            "CreateClientRequest.name" => "hostile client",
            "CreateClientRequest.scopes" => new JsonArray(Scopes.Read),
            "MemberRequest.displayName" => "Bob",
            "MemberRequest.locale" => "en-GB",
            // An update must name its own program (or none); a create a program that does not exist yet.
            "ProgramRequest.id" => operation.Path.Contains("{programId}") ? world.ProgramId : world.NewProgramId,
            "ProgramRequest.name" => "Renamed",
            "ProgramRequest.timeZone" => "America/New_York",
            "ProgramRequest.rules" => new JsonObject { ["review"] = ValidObject("EarningRuleRequest", Schema("EarningRuleRequest")) },
            "ProgramRequest.leaderboardRetention" => 6,
            "ProgramRequest.pointsExpiry" => "P12M",
            "ProgramRequest.expiringNoticeDays" => 30,
            "ProgramRequest.tiers" or "ProgramRequest.badges" => new JsonArray(ValidItem(field, 0), ValidItem(field, 1)),
            "EarningRuleRequest.points" => 10,
            "EarningRuleRequest.dailyCap" => 5,
            "EarningRuleRequest.weeklyCap" => 20,
            "EarningRuleRequest.uniquePerTarget" => true,
            "EarningRuleRequest.cooldownSeconds" => 60,
            "EarningRuleRequest.requiresApproval" => true,
            "TierRequest.name" => "Bronze",
            "TierRequest.minLifetimePoints" => 0,
            "BadgeRequest.id" => "first-review",
            "BadgeRequest.name" => "First review",
            "BadgeCondition.activityType" => "review",
            "BadgeCondition.count" => 3,
            "BadgeCondition.lifetimePoints" => 1000,
            "BadgeCondition.streakDays" => 7,
            "VelocityRequest.maxPerMinute" => 30,
            "CorsRequest.allowedOrigins" => new JsonArray("https://shop.example", "http://localhost:5173"),
            "ProgramRequest.redemptions" => ValidObject("RedemptionSettingsRequest", Schema("RedemptionSettingsRequest")),
            "RedemptionSettingsRequest.membersMayRedeem" => true,
            "RedemptionSettingsRequest.holdMinutes" => 60,

            "CreateRewardRequest.kind" => variant!,
            "CreateRewardRequest.title" => new JsonObject { ["default"] = ValidValue("CreateRewardRequest.title.*"), ["fr"] = "Café offert" },
            "CreateRewardRequest.title.*" => "Free coffee",
            "CreateRewardRequest.description" => new JsonObject { ["default"] = ValidValue("CreateRewardRequest.description.*") },
            "CreateRewardRequest.description.*" => "Any size, in any store",
            "CreateRewardRequest.costPoints" => 10,
            "CreateRewardRequest.stock" => 50,
            "CreateRewardRequest.availableFrom" => world.Now.AddDays(-1).ToString("O"),
            "CreateRewardRequest.availableUntil" => world.Now.AddDays(30).ToString("O"),
            "CreateRewardRequest.active" => true,
            "CreateRewardRequest.perkId" => world.OfferPerkId,
            "CreateRewardRequest.codes" => new JsonArray("TICKET-1", "TICKET-2"),
            "CreateRewardRequest.generateCodes" => 3,
            "RewardLimitRequest.count" => 2,
            "RewardLimitRequest.per" => "week",
            "RewardAudienceRequest.minTier" => "Bronze",
            "RewardAudienceRequest.badge" => "first-review",
            "RedeemRequest.rewardId" => world.RewardId,
            "RedeemRequest.quantity" => 1,
            "RedeemRequest.hold" => true,
            "RedeemRequest.holdMinutes" => 10,
            "FulfilmentRequest.status" => "shipped",
            "CreateWebhookRequest.url" or "PatchWebhookRequest.url" => "https://crm.example.com/hooks/rewards",
            "CreateWebhookRequest.eventTypes" or "PatchWebhookRequest.eventTypes" => new JsonArray("tier.changed", "member.*"),
            "CreateWebhookRequest.description" or "PatchWebhookRequest.description" => "CRM sync",
            "CreateWebhookRequest.enabled" or "PatchWebhookRequest.enabled" => true,
            "ReplayRequest.since" => world.Now.AddHours(-1).ToString("O"),

            "CreatePerkRequest.kind" or "AudienceRequest.type" or "ScheduleRequest.type" => variant!,
            "CreatePerkRequest.title" => "Winter sale",
            "CreatePerkRequest.description" => "For our contributors",
            "OfferRequest.codes" => new JsonArray("WINTER-1", "WINTER-2"),
            "OfferRequest.generateCodes" => 5,
            "OfferRequest.expiresAt" => world.Now.AddDays(30).ToString("O"),
            "EventRequest.venue" => "Lyon store",
            "EventRequest.startsAt" => world.Now.AddDays(10).ToString("O"),
            "EventRequest.capacity" => 50,
            "NewsRequest.body" => new JsonObject { ["default"] = ValidValue("NewsRequest.body.*"), ["fr"] = "Sortie la semaine prochaine" },
            "NewsRequest.body.*" => "Out next week",
            "NewsRequest.earlyAt" => world.Now.AddDays(1).ToString("O"),
            "NewsRequest.publicAt" => world.Now.AddDays(2).ToString("O"),
            "AudienceRequest.memberIds" => new JsonArray(world.MemberId),
            "AudienceRequest.points" => 100,
            "AudienceRequest.board" => "review",
            "AudienceRequest.window" => "week",
            "AudienceRequest.period" => "last",
            "AudienceRequest.count" => 10,
            "AudienceRequest.tier" => "Silver",
            "AudienceRequest.badge" => "first-review",
            "ScheduleRequest.at" => world.Now.AddYears(5).ToString("O"),
            "ScheduleRequest.cron" => "0 9 * * MON",
            "ScheduleRequest.timeZone" => "Europe/Paris",
            // Pausing the active offer would show in its figures: a valid baseline is never a no-op.
            "PerkStatusRequest.status" => "paused",
            "CodesRequest.codes" => new JsonArray("REFILL-1", "REFILL-2"),
            "RsvpRequest.answer" => "accept",
            "AdjustmentRequest.points" => 5,
            "AdjustmentRequest.reason" => "goodwill",
            "AdjustmentRequest.note" => "late parcel",
            "AdjustmentRequest.countsTowardLifetime" => false,
            "QuotaOverrides.maxPerks" => 500,
            "QuotaOverrides.maxCodesPerPool" => 50_000,
            "QuotaOverrides.maxCodesPerRequest" => 5_000,
            "QuotaOverrides.maxClients" => 10,
            "QuotaOverrides.minCronIntervalMinutes" => 120,
            "InviteRequest.email" => "newcomer@acme.example",
            "InviteRequest.role" => "marketer",
            "OperatorInviteRequest.email" => "new-operator@rewards.example",
            "UpdateRoleRequest.role" => "marketer",
            "UpdateRoleRequest.disabled" => false,
            "SignInRequest.email" => world.SignInEmail,
            "SignInRequest.password" => world.SignInPassword,
            "AcceptInvitationRequest.token" => world.InvitationToken,
            "AcceptInvitationRequest.password" => "tulips grow slowly in march",
            "AcceptInvitationRequest.displayName" => "Camille Durand",
            _ => throw new Xunit.Sdk.XunitException($"{operation.Name}: no valid value known for body field {field}; add one."),
        };

        /// <summary>Item <paramref name="index"/> of a valid array of objects; the items are distinct and in order.</summary>
        private JsonObject ValidItem(string field, int index) => (field, index) switch
        {
            ("ProgramRequest.tiers", 0) => ValidObject("TierRequest", Schema("TierRequest")),
            ("ProgramRequest.tiers", _) => new JsonObject { ["name"] = $"Tier {index}", ["minLifetimePoints"] = index * 500 },
            ("ProgramRequest.badges", 0) => ValidObject("BadgeRequest", Schema("BadgeRequest")),
            ("ProgramRequest.badges", _) => new JsonObject
            {
                ["id"] = $"badge-{index}", ["name"] = $"Badge {index}", ["when"] = new JsonObject { ["lifetimePoints"] = index * 1000 },
            },
            ("RecordActivityBatchRequest.activities", 0) => ValidObject("BatchActivityRequest", Schema("BatchActivityRequest")),
            ("RecordActivityBatchRequest.activities", _) => new JsonObject
            {
                ["idempotencyKey"] = $"batch-key-{index}", ["memberId"] = world.MemberId, ["type"] = "review", ["targetId"] = $"t-batch-{index}",
            },
            _ => throw new Xunit.Sdk.XunitException($"{operation.Name}: no valid items known for {field}; add some."),
        };

        private JsonElement PropertiesOf(string schemaName, JsonElement schema)
        {
            Assert.True(schema.TryGetProperty("properties", out var properties), $"{operation.Name}: schema {schemaName} has no properties");
            return properties;
        }

        /// <summary>The variants of a schema; each property of the document must be in one, and each listed one in the document.</summary>
        private IReadOnlyList<(string Name, string[] Properties)> VariantsOf(string schemaName, JsonElement properties)
        {
            var all = properties.EnumerateObject().Select(p => p.Name).ToArray();
            if (!Variants.TryGetValue(schemaName, out var variants))
            {
                return [("", all)];
            }
            var listed = variants.SelectMany(v => v.Properties).ToHashSet(StringComparer.Ordinal);
            Assert.True(listed.SetEquals(all), $"{operation.Name}: the variants of {schemaName} list [{string.Join(", ", listed.Order())}], " +
                $"the document has [{string.Join(", ", all.Order())}]; update {nameof(Variants)}.");
            return variants;
        }

        private JsonElement Schema(string name) => operation.Schemas.GetProperty(name);

        private (string Name, JsonElement Schema)? Resolve(JsonElement schema) =>
            schema.TryGetProperty("$ref", out var reference) && reference.GetString() is { } r && r.StartsWith("#/components/schemas/", StringComparison.Ordinal)
                ? (r["#/components/schemas/".Length..], Schema(r["#/components/schemas/".Length..]))
                : null;

        private static (string Name, JsonElement Schema)? BodySchemaOf(Operation operation)
        {
            if (!operation.Spec.TryGetProperty("requestBody", out var body))
            {
                return null;
            }
            var schema = body.GetProperty("content").GetProperty(BodyMediaTypeOf(operation)).GetProperty("schema");
            var reference = schema.GetProperty("$ref").GetString()!;
            var name = reference[(reference.LastIndexOf('/') + 1)..];
            return (name, operation.Schemas.GetProperty(name));
        }

        private static string BodyMediaTypeOf(Operation operation)
        {
            if (!operation.Spec.TryGetProperty("requestBody", out var body))
            {
                return "application/json";
            }
            var types = body.GetProperty("content").EnumerateObject().Select(c => c.Name).ToList();
            Assert.True(types is ["application/json"] or ["application/merge-patch+json"],
                $"{operation.Name}: request bodies other than application/json or application/merge-patch+json have no hostile cases; add some.");
            return types[0];
        }

        private static bool TakesIdempotencyKey(Operation operation)
        {
            var headers = operation.Parameters("header").Select(p => p.GetProperty("name").GetString()!).ToList();
            Assert.True(headers.All(h => h == RecordActivity.IdempotencyHeader || h == HostileCase.LastEventIdHeader),
                $"{operation.Name}: header parameters [{string.Join(", ", headers)}] have no hostile cases; add some.");
            return headers.Contains(RecordActivity.IdempotencyHeader);
        }

        private static bool TakesLastEventId(Operation operation) =>
            operation.Parameters("header").Any(p => p.GetProperty("name").GetString() == HostileCase.LastEventIdHeader);

        /// <summary>Values of Last-Event-ID (live streams) that are no event id; line breaks and NUL never reach a server in a header.</summary>
        private static IEnumerable<(string Name, string Value)> HostileLastEventIds() =>
            HostileIds.Where(h => !h.Value.Any(c => c is '\r' or '\n' or '\0'))
                .Concat([("negative", "-1-0"), ("no sequence digits", "1-"), ("three parts", "1-0-0"), ("overflow", "18446744073709551616-0"),
                    ("a time", "2026-11-30T10:00:00Z"), ("word", "now")]);

        private static string Json(string value) => JsonSerializer.Serialize(value);
    }
}

internal sealed record World(string ProgramId, string MemberId, string AwardedActivityId, string PendingActivityId, string ClientId,
    string NewProgramId, DateTimeOffset Now, DateOnly Today, string FlaggedMemberId, string SuspendedMemberId, string OfferPerkId,
    string EventPerkId, string NewsPerkId, string DeletedPerkId, string OtherProgramId, string OtherPerkId, string WebhookId, string WebhookEventId,
    string OtherWebhookId, string RewardId, string HeldRedemptionId, string PhysicalRedemptionId, string PersonId, string SignInEmail,
    string SignInPassword, string InvitationToken);

internal sealed record Operation(HttpMethod Method, string Path, JsonElement Spec, JsonElement Schemas)
{
    public string Name => $"{Method} {Path}";

    public string Id => Spec.GetProperty("operationId").GetString()!;

    public IEnumerable<JsonElement> Parameters(string location) =>
        Spec.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == location)
            : [];
}

/// <summary>A request body: JSON text, or raw bytes for encodings no string can carry.</summary>
internal sealed record Body(byte[] Bytes, string? ContentType = "application/json")
{
    public static Body Json(string text) => new(Encoding.UTF8.GetBytes(text));
}

/// <summary>One request; <paramref name="ValidBecause"/> says why a generic case is valid for this field (it is then not sent as hostile).</summary>
internal sealed record HostileCase(string Operation, string Name, HttpMethod Method, string Url, Body? Body,
    string? IdempotencyKey, int? ExpectedStatus = null, string? ValidBecause = null)
{
    public const string LastEventIdHeader = "Last-Event-ID";

    /// <summary>A Last-Event-ID header to send (live streams), as given.</summary>
    public string? LastEventId { get; init; }

    public HttpRequestMessage ToRequest()
    {
        var request = new HttpRequestMessage(Method, Url);
        if (Body is not null)
        {
            request.Content = new ByteArrayContent(Body.Bytes);
            if (Body.ContentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(Body.ContentType);
            }
        }
        if (IdempotencyKey is not null)
        {
            // Without validation, so that empty, control and non-ASCII keys reach the API as sent.
            request.Headers.TryAddWithoutValidation(RecordActivity.IdempotencyHeader, IdempotencyKey);
        }
        if (LastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation(LastEventIdHeader, LastEventId);
        }
        return request;
    }
}

/// <summary>
/// One edit of a valid body: <paramref name="Json"/> (raw text, so that it can be malformed) at <paramref name="Path"/>
/// of <paramref name="Root"/>, or the property removed when null. Steps into arrays are indices.
/// </summary>
internal sealed record BodyEdit(JsonObject Root, string[] Path, string Label, string Field, string Name, string? Json)
{
    public string Apply()
    {
        var copy = (JsonObject)Root.DeepClone();
        var parent = Walk(copy, Path[..^1]);
        if (Json is null)
        {
            ((JsonObject)parent).Remove(Path[^1]);
            return copy.ToJsonString();
        }
        Set(parent, Path[^1], HostileCases.Sentinel);
        return copy.ToJsonString().Replace($"\"{HostileCases.Sentinel}\"", Json);
    }

    /// <summary>A copy of <paramref name="root"/> with <paramref name="value"/> at <paramref name="path"/> (the root itself when empty).</summary>
    public static JsonObject Replace(JsonObject root, string[] path, JsonObject value)
    {
        if (path.Length == 0)
        {
            return value;
        }
        var copy = (JsonObject)root.DeepClone();
        Set(Walk(copy, path[..^1]), path[^1], value);
        return copy;
    }

    private static JsonNode Walk(JsonNode node, IEnumerable<string> steps) =>
        steps.Aggregate(node, (current, step) => current is JsonArray array ? array[Index(step)]! : current[step]!);

    private static void Set(JsonNode parent, string step, JsonNode? value)
    {
        if (parent is JsonArray array)
        {
            array[Index(step)] = value;
        }
        else
        {
            parent[step] = value;
        }
    }

    private static int Index(string step) => int.Parse(step, CultureInfo.InvariantCulture);
}
