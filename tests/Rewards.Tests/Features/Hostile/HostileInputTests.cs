using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rewards.Api.Features.Activities;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Http;
using Rewards.Api.Infrastructure.Jobs;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;
using Rewards.Tests.Features.OpenApi;
using Rewards.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Rewards.Tests.Features.Hostile;

/// <summary>
/// Generated from the committed OpenAPI document: every operation gets hostile path and query values, bodies and
/// Idempotency-Keys. Each request carries exactly one hostile element and real, valid values everywhere else, so the
/// hostile element is what must be refused: every answer is a 4xx problem, and nothing changes in the program, its
/// member, its clients or anywhere else in Redis. An operation the generator cannot make cases for fails the test.
/// </summary>
public sealed class HostileInputTests(RewardsApiFactory factory, ITestOutputHelper output) : ApiTest(factory)
{
    private static readonly string[] SkippedPrefixes = ["/health/"];
    private const string Sentinel = "__hostile_value__";

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
    /// Free text a person reads (names, reasons, target ids) legitimately holds unicode, punctuation, quotes and such;
    /// only emptiness, over-long values and control characters are hostile there, so these fields do not get
    /// <see cref="HostileIds"/>. The value is the field's maximum length.
    /// </summary>
    private static readonly Dictionary<string, int> FreeText = new(StringComparer.Ordinal)
    {
        ["ProgramRequest.name"] = ProgramRules.MaxNameLength,
        ["MemberRequest.displayName"] = MembersApi.MaxDisplayNameLength,
        ["ModerationRequest.reason"] = ActivitiesApi.MaxReasonLength,
        ["RecordActivityRequest.targetId"] = RecordActivity.MaxTargetIdLength,
        ["CreateClientRequest.name"] = 100, // as ClientsApi checks it
    };

    [Fact]
    public async Task EveryOperation_AnswersHostileInput_WithProblem_AndChangesNothing()
    {
        var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, OpenApiDocumentTests.CommittedPath)));
        var world = await SetUpAsync();
        var operations = Operations(document.RootElement).ToList();
        Assert.True(operations.Count >= 20, $"only {operations.Count} operations in the document");
        var cases = new List<HostileCase>();
        foreach (var operation in operations)
        {
            var generated = new CaseGenerator(operation, world).Generate().ToList();
            Assert.True(generated.Count >= 10, $"{operation.Name}: only {generated.Count} hostile cases generated");
            output.WriteLine($"{generated.Count,5} hostile requests: {operation.Name}");
            cases.AddRange(generated);
        }

        var stateBefore = await SnapshotAsync(world);
        var keysBefore = AllKeys();
        var violations = new List<string>();
        foreach (var hostile in cases)
        {
            if (await CheckAsync(hostile) is { } violation)
            {
                violations.Add(violation);
            }
        }
        var stateAfter = await SnapshotAsync(world);
        var createdKeys = AllKeys().Except(keysBefore).Order(StringComparer.Ordinal).ToList();

        violations.AddRange(stateBefore.Keys.Union(stateAfter.Keys)
            .Where(k => stateBefore.GetValueOrDefault(k) != stateAfter.GetValueOrDefault(k))
            .Select(k => $"STATE CHANGED {Excerpt(k)}:\n    before: {Excerpt(stateBefore.GetValueOrDefault(k) ?? "(none)", 400)}" +
                $"\n    after:  {Excerpt(stateAfter.GetValueOrDefault(k) ?? "(none)", 400)}"));
        // Anywhere in Redis: covers keys of hostile program ids and of the program the create cases name.
        violations.AddRange(createdKeys.Select(k => $"KEY CREATED {Excerpt(k)}"));
        Assert.True(violations.Count == 0,
            $"{violations.Count} of {cases.Count} hostile requests on {operations.Count} operations went wrong:\n" + string.Join("\n", violations));
    }

    /// <summary>A program with an automatic and a moderated rule, a member with points, an awarded and a pending activity, a client.</summary>
    private async Task<World> SetUpAsync()
    {
        var programId = await CreateProgramAsync("""{ "review": { "points": 50 }, "photo": { "points": 20, "requiresApproval": true } }""");
        const string memberId = "m-hostile";
        var awarded = (await RecordAsync(programId, memberId, "review", "t-1")).GetProperty("activityId").GetString()!;
        var pending = await RecordAsync(programId, memberId, "photo");
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        var put = await Client.PutAsJsonAsync($"/v1/programs/{programId}/members/{memberId}", new { displayName = "Ann", locale = "fr-FR" });
        Assert.True(put.IsSuccessStatusCode, $"member profile: {(int)put.StatusCode}");
        var (clientId, _) = await CreateApiClientAsync(programId, Scopes.Read);
        return new World(programId, memberId, awarded, pending.GetProperty("activityId").GetString()!, clientId, NewId("p-never"),
            Factory.Clock.GetUtcNow());
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
                yield return new Operation(new HttpMethod(operation.Name.ToUpperInvariant()), path.Name, operation.Value, schemas);
            }
        }
    }

    private async Task<string?> CheckAsync(HostileCase hostile)
    {
        using var request = hostile.ToRequest();
        using var response = await Client.SendAsync(request);
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        var wrong =
            status is < 400 or > 499 ? "is not a 4xx"
            : hostile.ExpectedStatus is { } expected && expected != status ? $"is not {expected}"
            : response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                ? $"has content type '{response.Content.Headers.ContentType?.MediaType}', not application/problem+json"
            : !ProblemHasStatus(body, status) ? "is a problem without the matching 'status'"
            : null;
        return wrong is null ? null : $"{hostile.Operation} [{hostile.Name}] → {status} {wrong}: {Excerpt(body)}";
    }

    private static bool ProblemHasStatus(string body, int status)
    {
        try
        {
            var root = JsonDocument.Parse(body).RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var s)
                && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var value) && value == status;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>What a user or operator could observe of the program: its API answers and every Redis key it owns.</summary>
    private async Task<SortedDictionary<string, string>> SnapshotAsync(World world)
    {
        var p = $"/v1/programs/{world.ProgramId}";
        var state = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var url in new[]
        {
            p, $"{p}/members/{world.MemberId}", $"{p}/clients", $"{p}/activities/{world.AwardedActivityId}",
            $"{p}/activities/{world.PendingActivityId}", $"{p}/leaderboards/points", $"{p}/leaderboards/review?window=week",
            $"/v1/programs/{world.NewProgramId}",
        })
        {
            using var response = await Client.GetAsync(url);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
            body.Remove("traceId"); // of problems: differs per request
            state[$"GET {url}"] = $"{(int)response.StatusCode} {body.ToJsonString()}";
        }
        state["ledger"] = string.Join("\n", (await GetLedgerAsync(world.ProgramId, world.MemberId)).Select(e => e.GetRawText()));

        var db = Factory.Redis.GetDatabase();
        foreach (var key in Factory.Redis.GetServers()[0].Keys(pattern: $"rw:{{{world.ProgramId}}}:*"))
        {
            state[$"redis {key}"] = await DescribeAsync(db, key);
        }
        state[$"redis {RedisKeys.Client(world.ClientId)}"] = await DescribeAsync(db, RedisKeys.Client(world.ClientId));
        state[$"redis {RedisKeys.ProgramIndex} size"] = (await db.SortedSetLengthAsync(RedisKeys.ProgramIndex)).ToString();
        return state;
    }

    private static async Task<string> DescribeAsync(IDatabase db, RedisKey key) => await db.KeyTypeAsync(key) switch
    {
        RedisType.String => $"string {await db.StringGetAsync(key)}",
        RedisType.Hash => "hash " + string.Join(", ", (await db.HashGetAllAsync(key))
            .OrderBy(e => e.Name.ToString(), StringComparer.Ordinal).Select(e => $"{e.Name}={e.Value}")),
        RedisType.Set => "set " + string.Join(", ", (await db.SetMembersAsync(key)).Select(v => v.ToString()).Order(StringComparer.Ordinal)),
        RedisType.SortedSet => "zset " + string.Join(", ", (await db.SortedSetRangeByRankWithScoresAsync(key)).Select(e => $"{e.Element}={e.Score:R}")),
        RedisType.List => "list " + string.Join(", ", await db.ListRangeAsync(key)),
        RedisType.Stream => "stream " + string.Join(" | ", (await db.StreamRangeAsync(key))
            .Select(e => $"{e.Id} " + string.Join(",", e.Values.Select(v => $"{v.Name}={v.Value}")))),
        var other => other.ToString(),
    };

    /// <summary>Every key in Redis but Hangfire's, which its server writes on its own schedule.</summary>
    private HashSet<string> AllKeys() =>
        Factory.Redis.GetServers()[0].Keys(pageSize: 1000).Select(k => k.ToString())
            .Where(k => !k.StartsWith(JobsSetup.KeyPrefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);

    private static string Excerpt(string text, int max = 200)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= max ? flat : flat[..max] + $"… ({text.Length} chars)";
    }

    private sealed record World(string ProgramId, string MemberId, string AwardedActivityId, string PendingActivityId, string ClientId,
        string NewProgramId, DateTimeOffset Now);

    private sealed record Operation(HttpMethod Method, string Path, JsonElement Spec, JsonElement Schemas)
    {
        public string Name => $"{Method} {Path}";

        public string Id => Spec.GetProperty("operationId").GetString()!;

        public IEnumerable<JsonElement> Parameters(string location) =>
            Spec.TryGetProperty("parameters", out var parameters)
                ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == location)
                : [];
    }

    /// <summary>A request body: JSON text, or raw bytes for encodings no string can carry.</summary>
    private sealed record Body(byte[] Bytes, string? ContentType = "application/json")
    {
        public static Body Json(string text) => new(Encoding.UTF8.GetBytes(text));
    }

    private sealed record HostileCase(string Operation, string Name, HttpMethod Method, string Url, Body? Body,
        string? IdempotencyKey, int? ExpectedStatus = null)
    {
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
            return request;
        }
    }

    /// <summary>The hostile cases of one operation: valid real values everywhere but in one place.</summary>
    private sealed class CaseGenerator(Operation operation, World world)
    {
        private readonly List<string> _pathParameters = operation.Parameters("path").Select(p => p.GetProperty("name").GetString()!).ToList();
        private readonly List<(string Name, JsonElement Schema)> _queryParameters =
            operation.Parameters("query").Select(p => (p.GetProperty("name").GetString()!, p.GetProperty("schema"))).ToList();
        private readonly bool _takesIdempotencyKey = TakesIdempotencyKey(operation);
        private readonly (string Name, JsonElement Schema)? _bodySchema = BodySchemaOf(operation);

        public IEnumerable<HostileCase> Generate()
        {
            foreach (var parameter in _pathParameters)
            {
                foreach (var (name, value) in HostileIds.Where(h => CanBePathSegment(h.Value)).Append(("valid + newline", ValidPathValue(parameter) + "\n")))
                {
                    yield return Case($"path {parameter}: {name}", Url(new() { [parameter] = Uri.EscapeDataString(value) }), Baseline());
                }
                // Sent as typed, not escaped: the server, not the client, decodes these.
                foreach (var raw in new[] { "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "a%2Fb", "%7B%7D", "%FF", "%C3%28" })
                {
                    yield return Case($"path {parameter}: raw {raw}", Url(new() { [parameter] = raw }), Baseline());
                }
            }

            foreach (var (parameter, schema) in _queryParameters)
            {
                foreach (var (name, value) in QueryValues(parameter, schema))
                {
                    yield return Case($"query {parameter}: {name}", Url(query: $"{Companion(parameter)}{parameter}={value}"), Baseline());
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
        private HostileCase Case(string name, string url, Body? body, int? expectedStatus = null) =>
            new(operation.Name, name, operation.Method, url, body, _takesIdempotencyKey ? Guid.NewGuid().ToString() : null, expectedStatus);

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

        private string Url(Dictionary<string, string>? overrides = null, string? query = null)
        {
            var url = operation.Path;
            foreach (var parameter in _pathParameters)
            {
                var value = overrides?.GetValueOrDefault(parameter) ?? Uri.EscapeDataString(ValidPathValue(parameter));
                url = url.Replace($"{{{parameter}}}", value);
            }
            return query is null ? url : $"{url}?{query}";
        }

        private string ValidPathValue(string parameter) => parameter switch
        {
            "programId" => world.ProgramId,
            "memberId" => world.MemberId,
            // Approve and reject find the pending activity; reverse takes back an awarded one.
            "activityId" => operation.Path.EndsWith("/reverse", StringComparison.Ordinal) ? world.AwardedActivityId : world.PendingActivityId,
            "clientId" => world.ClientId,
            "board" => "review",
            "period" => ProgramTimeWeek(world.Now.AddDays(-7)),
            _ => throw new Xunit.Sdk.XunitException($"{operation.Name}: no valid value known for path parameter '{parameter}'; add one."),
        };

        private static string ProgramTimeWeek(DateTimeOffset instant) =>
            ProgramTime.WeekId(DateOnly.FromDateTime(instant.UtcDateTime));

        private string ValidQueryValue(string parameter) => parameter switch
        {
            "window" => "week",
            "period" => ProgramTimeWeek(world.Now),
            "cursor" => "1-0",
            _ => throw new Xunit.Sdk.XunitException($"{operation.Name}: no valid value known for query parameter '{parameter}'; add one."),
        };

        /// <summary>A query parameter that only means something next to another gets that one, valid.</summary>
        private static string Companion(string parameter) => parameter == "period" ? "window=week&" : "";

        private IEnumerable<(string Name, string Value)> QueryValues(string parameter, JsonElement schema) =>
            schema.GetProperty("type").GetString() switch
            {
                "integer" =>
                [
                    ("negative", "-1"), ("int32 max", "2147483647"), ("int32 overflow", "2147483648"), ("huge", "99999999999999999999"),
                    ("non-numeric", "abc"), ("fraction", "1.5"), ("hex", "0x10"), ("arabic digit", "%D9%A1"),
                    ("nul", "%00"), ("empty", ""), ("repeated", $"1&{parameter}=2"),
                    // Not "valid + newline": integers are parsed allowing surrounding white space, so "5\n" is 5.
                ],
                "string" => HostileIds.Select(h => (h.Name, Uri.EscapeDataString(h.Value)))
                    .Append(("valid + newline", Uri.EscapeDataString(ValidQueryValue(parameter) + "\n")))
                    .Append(("repeated", $"{ValidQueryValue(parameter)}&{parameter}={ValidQueryValue(parameter)}")),
                var type => throw new Xunit.Sdk.XunitException($"{operation.Name}: query parameter '{parameter}' of type '{type}' has no hostile values; add some."),
            };

        private Body? Baseline() => _bodySchema is { } body ? Body.Json(ValidObject(body.Name, body.Schema).ToJsonString()) : null;

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
                if (WhyValid("body", name) is null)
                {
                    yield return Case($"body: {name}", url, Body.Json(json));
                }
            }

            // Refused by size before it is read; the padding is whitespace, so only the size is wrong.
            yield return Case("body: over 64 KiB", url, Body.Json("{" + new string(' ', (int)HttpSetup.MaxBodyBytes) + valid[1..]), expectedStatus: 413);
            yield return Case("body: invalid UTF-8", url, new Body([.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8]));
            yield return Case("body: UTF-16", url, new Body(Encoding.Unicode.GetBytes(valid)));
            yield return Case("body: text/plain", url, new Body(Encoding.UTF8.GetBytes(valid), "text/plain"));
            yield return Case("body: form", url, new Body("a=1"u8.ToArray(), "application/x-www-form-urlencoded"));
            yield return Case("body: no content type", url, new Body(Encoding.UTF8.GetBytes(valid), ContentType: null));
            if (WhyValid("body", "no body") is null)
            {
                yield return Case("body: no body", url, body: null);
            }

            foreach (var (path, name, json) in PropertyEdits(schemaName, schema, []))
            {
                yield return Case($"body {string.Join('.', path)}: {name}", url, Body.Json(Edit(baseline, path, json)));
            }
        }

        /// <summary>Edits of each property of an object schema, recursing into nested objects and maps.</summary>
        private IEnumerable<(string[] Path, string Name, string? Json)> PropertyEdits(string schemaName, JsonElement schema, string[] at)
        {
            Assert.True(schema.TryGetProperty("properties", out var properties), $"{operation.Name}: schema {schemaName} has no properties");
            foreach (var property in properties.EnumerateObject())
            {
                var field = $"{schemaName}.{property.Name}";
                string[] path = [.. at, property.Name];
                foreach (var missing in new[] { ("missing", (string?)null), ("null", "null") })
                {
                    if (WhyValid(field, missing.Item1) is null)
                    {
                        yield return (path, missing.Item1, missing.Item2);
                    }
                }
                foreach (var (name, json) in ValueCases(field, property.Value, path))
                {
                    yield return (path, name, json);
                }
                if (Resolve(property.Value) is { } nested && nested.Schema.GetProperty("type").GetString() == "object")
                {
                    foreach (var edit in PropertyEdits(nested.Name, nested.Schema, path))
                    {
                        yield return edit;
                    }
                }
                if (property.Value.TryGetProperty("additionalProperties", out var values) && Resolve(values) is { } item)
                {
                    foreach (var edit in MapEdits(field, item.Name, item.Schema, path))
                    {
                        yield return edit;
                    }
                }
            }
        }

        /// <summary>A map of objects (rules by activity type): hostile keys, too many entries, and each value's properties.</summary>
        private IEnumerable<(string[] Path, string Name, string? Json)> MapEdits(string field, string itemName, JsonElement itemSchema, string[] path)
        {
            var validItem = ValidObject(itemName, itemSchema).ToJsonString();
            var validKey = ((JsonObject)ValidValue(field, path)).First().Key;
            foreach (var (name, key) in HostileIds.Append(("reserved board", ProgramRules.PointsBoard)).Append(("upper case", "Review"))
                .Append(("valid + newline", validKey + "\n")))
            {
                yield return (path, $"key {name}", $"{{{JsonSerializer.Serialize(validKey)}:{validItem},{JsonSerializer.Serialize(key)}:{validItem}}}");
            }
            yield return (path, $"{ProgramRules.MaxRules + 1} entries",
                "{" + string.Join(",", Enumerable.Range(0, ProgramRules.MaxRules + 1).Select(i => $"\"t{i}\":{validItem}")) + "}");
            string[] itemPath = [.. path, validKey];
            foreach (var (name, json) in new[] { ("null", "null"), ("string", "\"x\""), ("number", "5"), ("array", "[]"), ("true", "true"), ("empty object", "{}") })
            {
                yield return (itemPath, name, json);
            }
            foreach (var edit in PropertyEdits(itemName, itemSchema, itemPath))
            {
                yield return edit;
            }
        }

        /// <summary>Values of the wrong type or out of bounds for one property, by its declared type.</summary>
        private IEnumerable<(string Name, string Json)> ValueCases(string field, JsonElement schema, string[] path)
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
                        ("valid + newline", Json(ValidValue(field, path).GetValue<string>() + "\n")),
                        ("not a date", "\"yesterday\""), ("empty", "\"\""), ("month 13", "\"2026-13-01T00:00:00Z\""),
                        ("30 February", "\"2026-02-30T00:00:00Z\""), ("unix seconds string", "\"1763460000\""),
                        ("year 9999", "\"9999-12-31T23:59:59Z\""), ("year 2000", "\"2000-01-01T00:00:00Z\""),
                        ("below DateTimeOffset.MinValue", "\"0001-01-01T00:00:00+14:00\""),
                        ("above DateTimeOffset.MaxValue", "\"9999-12-31T23:59:59-14:00\""),
                        ("10k chars", Json(new string('1', 10_000))), ("nul", Json("2026-11-18T10:00:00Z\u0000")),
                    ]);
                case ("string", _):
                    return wrongTypes.Concat(StringCases(field)).Append(("valid + newline", Json(ValidValue(field, path).GetValue<string>() + "\n")));
                case ("integer", _):
                    return wrongTypes.Where(w => w.Name != "number").Concat(
                    [
                        ("numeric string", "\"5\""), ("NaN string", "\"NaN\""), ("negative", "-1"), ("zero", "0"), ("fraction", "1.5"),
                        ("int32 max", "2147483647"), ("int32 min", "-2147483648"), ("int32 overflow", "2147483648"),
                        ("20 digits", "99999999999999999999"), ("1e309", "1e309"), ("-1e309", "-1e309"),
                    ]);
                case ("boolean", _):
                    return [("string", "\"true\""), ("one", "1"), ("zero", "0"), ("object", "{}"), ("array", "[]"), ("yes", "\"yes\"")];
                case ("array", _):
                    var items = schema.GetProperty("items");
                    Assert.True(items.GetProperty("type").GetString() == "string", $"{operation.Name}: {field} is an array of {items}; add cases.");
                    return new[]
                    {
                        ("string", "\"a\""), ("object", "{}"), ("number", "5"), ("true", "true"), ("empty", "[]"),
                        ("number item", "[5]"), ("null item", "[null]"), ("nested array", "[[\"a\"]]"),
                        ("operator scope", $"[\"{Scopes.Admin}\"]"), ("member scope", $"[\"{Scopes.Member}\"]"),
                        ("item valid + newline", $"[{Json(ValidValue(field, path)[0]!.GetValue<string>() + "\n")}]"),
                    }.Concat(StringCases(field).Select(s => ($"item {s.Name}", $"[{s.Json}]")));
                case ("object", _) when schema.TryGetProperty("additionalProperties", out _):
                    return [("string", "\"x\""), ("number", "5"), ("array", "[]"), ("true", "true")];
                case (null, _) when schema.TryGetProperty("$ref", out _):
                    return [("string", "\"x\""), ("number", "5"), ("array", "[]"), ("true", "true")];
                default:
                    throw new Xunit.Sdk.XunitException($"{operation.Name}: {field} ({type}/{format}) has no hostile values; add some.");
            }
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

        /// <summary>The reason a generic case is a valid request for this operation and field (so it is not sent), or null.</summary>
        private string? WhyValid(string field, string @case) => (operation.Id, field, @case) switch
        {
            // The profile's fields are all optional: {} clears display name and locale.
            ("PutMember", "body", "empty object") => "a profile without name and locale",
            // Approving or rejecting needs no reason, so no body (an empty one too), null and {} approve or reject.
            ("Approve" or "Reject", "body", "empty object" or "null root" or "no body" or "empty body") => "the reason is optional",
            ("Approve" or "Reject", "ModerationRequest.reason", "missing" or "null") => "the reason is optional",
            // An update takes the id from the URL.
            ("UpdateProgram", "ProgramRequest.id", "missing" or "null") => "the id may be omitted on update",
            (_, "RecordActivityRequest.targetId" or "RecordActivityRequest.occurredAt", "missing" or "null") => "optional field",
            (_, "MemberRequest.displayName" or "MemberRequest.locale", "missing" or "null") => "optional field",
            (_, "ProgramRequest.leaderboardRetention", "missing" or "null") => "optional field, defaults to 12",
            (_, "EarningRuleRequest.dailyCap" or "EarningRuleRequest.weeklyCap" or "EarningRuleRequest.cooldownSeconds"
                or "EarningRuleRequest.uniquePerTarget" or "EarningRuleRequest.requiresApproval", "missing" or "null") => "optional field",
            _ => null,
        };

        /// <summary>A valid body: every property with a real value, so one edit makes exactly one thing hostile.</summary>
        private JsonObject ValidObject(string schemaName, JsonElement schema)
        {
            var result = new JsonObject();
            foreach (var property in schema.GetProperty("properties").EnumerateObject())
            {
                result[property.Name] = ValidValue($"{schemaName}.{property.Name}", [property.Name]);
            }
            return result;
        }

        private JsonNode ValidValue(string field, string[] path) => field switch
        {
            "RecordActivityRequest.memberId" => world.MemberId,
            "RecordActivityRequest.type" => "review",
            "RecordActivityRequest.targetId" => "t-2",
            "RecordActivityRequest.occurredAt" => world.Now.AddMinutes(-1).ToString("O"),
            "ModerationRequest.reason" => "checked by a moderator",
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
            "EarningRuleRequest.points" => 10,
            "EarningRuleRequest.dailyCap" => 5,
            "EarningRuleRequest.weeklyCap" => 20,
            "EarningRuleRequest.uniquePerTarget" => true,
            "EarningRuleRequest.cooldownSeconds" => 60,
            "EarningRuleRequest.requiresApproval" => true,
            _ => throw new Xunit.Sdk.XunitException(
                $"{operation.Name}: no valid value known for body field {field} (at {string.Join('.', path)}); add one."),
        };

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
            var content = body.GetProperty("content");
            Assert.True(content.EnumerateObject().Select(c => c.Name).SequenceEqual(["application/json"]),
                $"{operation.Name}: request bodies other than application/json have no hostile cases; add some.");
            var schema = content.GetProperty("application/json").GetProperty("schema");
            var reference = schema.GetProperty("$ref").GetString()!;
            var name = reference[(reference.LastIndexOf('/') + 1)..];
            return (name, operation.Schemas.GetProperty(name));
        }

        private static bool TakesIdempotencyKey(Operation operation)
        {
            var headers = operation.Parameters("header").Select(p => p.GetProperty("name").GetString()!).ToList();
            Assert.True(headers.All(h => h == RecordActivity.IdempotencyHeader),
                $"{operation.Name}: header parameters [{string.Join(", ", headers)}] have no hostile cases; add some.");
            return headers.Count > 0;
        }

        private static string Edit(JsonObject baseline, string[] path, string? json)
        {
            var copy = (JsonObject)baseline.DeepClone();
            var parent = copy;
            foreach (var step in path[..^1])
            {
                parent = (JsonObject)parent[step]!;
            }
            if (json is null)
            {
                parent.Remove(path[^1]);
                return copy.ToJsonString();
            }
            parent[path[^1]] = Sentinel;
            return copy.ToJsonString().Replace($"\"{Sentinel}\"", json);
        }

        private static string Json(string value) => JsonSerializer.Serialize(value);
    }
}
