using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rewards.Api.Features.Leaderboards;
using Rewards.Api.Features.Perks;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Jobs;
using Rewards.Api.Infrastructure.Redis;
using Rewards.Api.Infrastructure.Time;
using Rewards.Tests.Infrastructure.OpenApi;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Rewards.Tests.Infrastructure.Errors;

/// <summary>
/// Generated from the committed OpenAPI document (<see cref="HostileCases"/>): every operation gets hostile path and query values, bodies and
/// Idempotency-Keys. Each request carries exactly one hostile element and real, valid values everywhere else, so the
/// hostile element is what must be refused: every answer is a 4xx problem, and nothing changes in the program, its
/// members, perks, KPIs and clients or anywhere else in Redis. An operation the generator cannot make cases for fails
/// the test. The few generic cases that are valid for one field are left out with their reason, and a second test
/// sends each of them to check that the API really accepts it.
/// </summary>
public sealed class HostileInputTests(RewardsApiFactory factory, ITestOutputHelper output) : ApiTest(factory)
{
    /// <summary>The world's velocity limit: its flagged member recorded one activity more in a minute.</summary>
    private const int VelocityLimit = 3;

    [Fact]
    public async Task EveryOperation_AnswersHostileInput_WithProblem_AndChangesNothing()
    {
        var operations = await HostileCases.OperationsAsync();
        var world = await SetUpAsync();
        var cases = new List<HostileCase>();
        var leftOut = 0;
        foreach (var operation in operations)
        {
            var generated = HostileCases.Generate(operation, world);
            var hostile = generated.Where(c => c.ValidBecause is null).ToList();
            Assert.True(hostile.Count >= 10, $"{operation.Name}: only {hostile.Count} hostile cases generated");
            var valid = generated.Count(c => c.ValidBecause is not null && c.Name != HostileCases.BaselineName);
            output.WriteLine($"{hostile.Count,5} hostile requests: {operation.Name}" + (valid > 0 ? $" ({valid} valid cases left out)" : ""));
            cases.AddRange(hostile);
            leftOut += valid;
        }
        output.WriteLine($"{cases.Count} hostile requests on {operations.Count} operations; {leftOut} valid cases left out");

        var stateBefore = await SnapshotAsync(world);
        AssertSnapshotSeesPerksAndKpis(stateBefore, world);
        var keysBefore = await AllKeysAsync();
        var violations = new List<string>();
        foreach (var hostile in cases)
        {
            if (await CheckAsync(hostile) is { } violation)
            {
                violations.Add(violation);
            }
        }
        var stateAfter = await SnapshotAsync(world);
        var createdKeys = (await AllKeysAsync()).Except(keysBefore).Order(StringComparer.Ordinal).ToList();

        violations.AddRange(stateBefore.Keys.Union(stateAfter.Keys)
            .Where(k => stateBefore.GetValueOrDefault(k) != stateAfter.GetValueOrDefault(k))
            .Select(k => $"STATE CHANGED {Excerpt(k)}:\n    before: {Excerpt(stateBefore.GetValueOrDefault(k) ?? "(none)", 400)}" +
                $"\n    after:  {Excerpt(stateAfter.GetValueOrDefault(k) ?? "(none)", 400)}"));
        // Anywhere in Redis: covers keys of hostile program ids and of the program the create cases name.
        violations.AddRange(createdKeys.Select(k => $"KEY CREATED {Excerpt(k)}"));
        Assert.True(violations.Count == 0,
            $"{violations.Count} of {cases.Count} hostile requests on {operations.Count} operations went wrong:\n" + string.Join("\n", violations));
    }

    /// <summary>
    /// The cases left out as valid must be valid: each is sent alone, to a world of its own (reads share one), and must
    /// succeed. They include each operation's baseline, so every hostile case is one edit away from a request the API
    /// accepts. A case the API refuses is no longer an exception: remove it from <c>WhyValid</c> so that it is checked as hostile.
    /// </summary>
    [Fact]
    public async Task CasesLeftOutAsValid_AreAccepted()
    {
        var operations = await HostileCases.OperationsAsync();
        var probe = await SetUpAsync();
        var leftOut = operations.SelectMany(o => HostileCases.Generate(o, probe).Where(c => c.ValidBecause is not null).Select(c => (Operation: o, Case: c))).ToList();
        Assert.Equal(operations.Count, leftOut.Count(l => l.Case.Name == HostileCases.BaselineName));
        var refused = new List<string>();
        foreach (var (operation, left) in leftOut)
        {
            var world = operation.Method == HttpMethod.Get ? probe : await SetUpAsync();
            var valid = HostileCases.Generate(operation, world).Single(c => c.Name == left.Name);
            using var request = valid.ToRequest();
            using var response = await SendForStatusAsync(Client, request);
            output.WriteLine($"{(int)response.StatusCode} {operation.Name} [{left.Name}]: {left.ValidBecause}");
            if (response.StatusCode == HttpStatusCode.Created && response.Headers.Location?.OriginalString is { } created && created.Contains("/perks/"))
            {
                // Hangfire's poller grants a perk scheduled in the past some seconds later, maybe while another test counts
                // keys; deleted, the perk is granted to nobody.
                Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync(created)).StatusCode);
            }
            if (DeclaredStatuses.Undeclared(operation.Name, valid.Url, (int)response.StatusCode) is { } undeclared)
            {
                refused.Add(undeclared);
            }
            if (!response.IsSuccessStatusCode)
            {
                refused.Add($"{operation.Name} [{left.Name}] ({left.ValidBecause}) → {(int)response.StatusCode}: " +
                    Excerpt(await response.Content.ReadAsStringAsync()));
            }
        }
        Assert.True(refused.Count == 0, $"{refused.Count} of {leftOut.Count} cases left out as valid were refused:\n" + string.Join("\n", refused));
    }

    /// <summary>
    /// A program with tiers, a badge, a velocity limit, an automatic and a moderated rule, created last week so that last
    /// week's boards are archived; a member with points (last week and this week), a pending activity and a profile; a
    /// flagged and a suspended member; an offer with codes, an event and news granted to the member (grants run directly,
    /// as Hangfire would), and a granted offer since deleted; a client; and another program whose offer the member holds too.
    /// </summary>
    private async Task<World> SetUpAsync()
    {
        var programId = NewId("p");
        var now = Factory.Clock.GetUtcNow();
        const string memberId = "m-hostile";
        Factory.SetUtcNow(now.AddDays(-7));
        await PostJsonAsync("/v1/programs", JsonNode.Parse($$"""
            {
              "id": "{{programId}}", "name": "Hostile", "timeZone": "Europe/Paris",
              "rules": { "review": { "points": 50 }, "photo": { "points": 20, "requiresApproval": true } },
              "tiers": [{ "name": "Bronze", "minLifetimePoints": 0 }, { "name": "Silver", "minLifetimePoints": 500 }],
              "badges": [{ "id": "first-review", "name": "First review", "when": { "activityType": "review", "count": 1 } }],
              "velocity": { "maxPerMinute": {{VelocityLimit}} },
              "redemptions": { "holdMinutes": 10080 }
            }
            """), HttpStatusCode.Created);
        await RecordAsync(programId, memberId, "review", "t-0");
        Factory.SetUtcNow(now);
        Assert.True(await Factory.Services.GetRequiredService<WindowCloseJob>().CloseAsync(programId, WindowKind.Week) > 0);

        var awarded = (await RecordAsync(programId, memberId, "review", "t-1")).GetProperty("activityId").GetString()!;
        var pending = await RecordAsync(programId, memberId, "photo");
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        var put = await Client.PutAsJsonAsync($"/v1/programs/{programId}/members/{memberId}", new { displayName = "Ann", locale = "fr-FR" });
        Assert.True(put.IsSuccessStatusCode, $"member profile: {(int)put.StatusCode}");

        const string flaggedId = "m-flagged";
        for (var i = 0; i <= VelocityLimit; i++)
        {
            await RecordAsync(programId, flaggedId, "review", $"t-{i}");
        }
        Assert.True((await GetMemberAsync(programId, flaggedId)).GetProperty("flagged").GetBoolean());
        const string suspendedId = "m-suspended";
        await RecordAsync(programId, suspendedId, "review", "t-1");
        await PostJsonAsync($"/v1/programs/{programId}/members/{suspendedId}/suspend", null, HttpStatusCode.OK);

        object audience = new { type = "members", memberIds = new[] { memberId } };
        object later = new { type = "at", at = RewardsApiFactory.FarFuture };
        object Offer(string title, params string[] codes) =>
            new { kind = "offer", title, offer = new { codes, expiresAt = now.AddDays(30) }, audience, schedule = later };
        var offer = await CreateGrantedPerkAsync(programId, Offer("20% off", "HOSTILE-1", "HOSTILE-2"));
        var invitation = await CreateGrantedPerkAsync(programId, new { kind = "event", title = "Private preview",
            @event = new { venue = "Paris store", startsAt = now.AddDays(10), capacity = 5 }, audience, schedule = later });
        var news = await CreateGrantedPerkAsync(programId, new { kind = "news", title = "New collection",
            news = new { body = new Dictionary<string, string> { ["default"] = "Out now", ["fr"] = "Disponible" },
                earlyAt = now.AddHours(-2), publicAt = now.AddHours(-1) }, audience, schedule = later });
        var deleted = await CreateGrantedPerkAsync(programId, Offer("Withdrawn", "GONE-1"));
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/v1/programs/{programId}/perks/{deleted}")).StatusCode);
        // Members' grants of a deleted perk go in a background job: run now, so that Hangfire's run changes nothing later.
        await Factory.Services.GetRequiredService<PerkCleanupJob>().RunAsync(programId, deleted, CancellationToken.None);

        var (clientId, _) = await CreateApiClientAsync(programId, Scopes.Read);

        // Another tenant, with a member of the same id holding an offer of its own.
        var otherProgramId = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        await RecordAsync(otherProgramId, memberId, "review");
        var otherOffer = await CreateGrantedPerkAsync(otherProgramId, Offer("Elsewhere", "OTHER-1"));

        // A voucher reward the member holds a week-long hold of, and a physical reward of theirs waiting to ship.
        var reward = (await PostJsonAsync($"/v1/programs/{programId}/rewards", new { kind = "voucher", title = new { @default = "Coffee" },
            costPoints = 10, stock = 100 }, HttpStatusCode.Created)).GetProperty("reward").GetProperty("rewardId").GetString()!;
        var mug = (await PostJsonAsync($"/v1/programs/{programId}/rewards", new { kind = "physical", title = new { @default = "Mug" },
            costPoints = 10 }, HttpStatusCode.Created)).GetProperty("reward").GetProperty("rewardId").GetString()!;
        var held = await RedeemAsync(programId, memberId, new { rewardId = reward, hold = true });
        var shipping = await RedeemAsync(programId, memberId, new { rewardId = mug });

        // A webhook endpoint (nothing listens at its address: deliveries fail) and an event of the stream, appended before it.
        var eventId = (await Factory.Redis.GetDatabase().StreamAddAsync(RedisKeys.Events(programId),
            [new("type", "tier.changed"), new("member", memberId), new("seq", "1"), new("at", now.ToUnixTimeMilliseconds()), new("data", "{}")])).ToString();
        var webhookId = await CreateWebhookAsync(programId);
        var otherWebhookId = await CreateWebhookAsync(otherProgramId);


        // People: an invited person of the program (no password yet); an operator person who signs in (no program role, so that
        // failed sign-ins reach the operator's log only; one failure already counted); a pending invitation.
        var invitedPerson = await PostJsonAsync($"/v1/programs/{programId}/people", new { email = NewId("invited") + "@acme.example", role = "analyst" },
            HttpStatusCode.Created);
        var signInEmail = NewId("signer") + "@acme.example";
        const string signInPassword = "purple elephants dance at noon";
        var signer = await PostJsonAsync("/v1/people", new { email = signInEmail }, HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.OK, (await Client.PostAsJsonAsync("/v1/invitations/accept",
            new { token = LinkToken(signer), password = signInPassword, displayName = "Signer" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.PostAsJsonAsync("/v1/session", new { email = signInEmail, password = "not it at all" })).StatusCode);
        var pendingInvitation = await PostJsonAsync("/v1/people", new { email = NewId("pending") + "@acme.example" }, HttpStatusCode.Created);

        return new World(programId, memberId, awarded, pending.GetProperty("activityId").GetString()!, clientId, NewId("p-never"), now,
            ProgramTime.LocalDate(now, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris")), flaggedId, suspendedId, offer, invitation, news,
            deleted, otherProgramId, otherOffer, webhookId, eventId, otherWebhookId, reward, held, shipping, invitedPerson.GetProperty("personId").GetString()!,
            signInEmail, signInPassword, LinkToken(pendingInvitation));
    }

    private async Task<string> RedeemAsync(string programId, string memberId, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{programId}/members/{memberId}/redemptions") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("redemptionId").GetString()!;
    }

    private async Task<string> CreateWebhookAsync(string programId) =>
        (await PostJsonAsync($"/v1/programs/{programId}/webhooks", new { url = "http://127.0.0.1:9/hooks" }, HttpStatusCode.Created))
            .GetProperty("endpoint").GetProperty("id").GetString()!;

    private async Task<string> CreateGrantedPerkAsync(string programId, object body)
    {
        var perkId = (await PostJsonAsync($"/v1/programs/{programId}/perks", body, HttpStatusCode.Created))
            .GetProperty("perk").GetProperty("perkId").GetString()!;
        var run = await Factory.Services.GetRequiredService<PerkGrantJob>().GrantAsync(programId, perkId, "hostile-run");
        Assert.Equal(((PerkRunStatus?)PerkRunStatus.Done, 1L), (run?.Status, run?.Granted ?? 0));
        return perkId;
    }

    private async Task<string?> CheckAsync(HostileCase hostile)
    {
        using var request = hostile.ToRequest();
        using var response = await SendForStatusAsync(Client, request);
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        if (status == 200 && hostile.Operation.EndsWith("/activities:batch", StringComparison.Ordinal))
        {
            // A batch answers each activity on its own: a hostile item is refused in its result (a 4xx with a problem that says
            // why), the batch itself is 200. Every item must be refused here: the state check below sees anything recorded.
            return BatchItemsRefused(body) ? null : $"{hostile.Operation} [{hostile.Name}] → 200 with an item not refused: {Excerpt(body)}";
        }
        var wrong =
            status is < 400 or > 499 ? "is not a 4xx"
            : hostile.ExpectedStatus is { } expected && expected != status ? $"is not {expected}"
            : response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                ? $"has content type '{response.Content.Headers.ContentType?.MediaType}', not application/problem+json"
            : !ProblemHasStatus(body, status) ? "is a problem without the matching 'status'"
            : !ProblemHasDetail(body) ? "is a problem without a 'detail' saying what to change"
            : DeclaredStatuses.Undeclared(hostile.Operation, hostile.Url, status) is { } undeclared ? $"is undeclared: {undeclared}"
            : null;
        return wrong is null ? null : $"{hostile.Operation} [{hostile.Name}] → {status} {wrong}: {Excerpt(body)}";
    }

    /// <summary>Issue 13: every refusal teaches; a non-empty 'detail' (or, for validation problems, field errors with messages).</summary>
    private static bool ProblemHasDetail(string body)
    {
        try
        {
            var root = JsonDocument.Parse(body).RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("detail", out var d)
                && d.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(d.GetString());
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool BatchItemsRefused(string body)
    {
        var results = JsonDocument.Parse(body).RootElement.GetProperty("results").EnumerateArray().ToList();
        return results.Count > 0 && results.Any(r => r.GetProperty("status").GetInt32() is >= 400 and <= 499
            && r.TryGetProperty("problem", out var p) && p.GetProperty("detail").GetString() is { Length: > 0 });
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
        var m = $"{p}/members/{world.MemberId}";
        var state = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var url in new[]
        {
            p, m, $"{p}/clients", $"{p}/activities/{world.AwardedActivityId}",
            $"{p}/activities/{world.PendingActivityId}", $"{p}/leaderboards/points", $"{p}/leaderboards/review?window=week",
            $"/v1/programs/{world.NewProgramId}",
            // Perks: figures (granted, claimed, accepted, waitlisted, codes left, next run), the member's inbox and news.
            $"{p}/perks", $"{p}/perks/{world.OfferPerkId}", $"{p}/perks/{world.EventPerkId}", $"{p}/perks/{world.NewsPerkId}",
            $"{m}/perks", $"{m}/news", $"{p}/news",
            // Flags and KPIs.
            $"{p}/members/{world.FlaggedMemberId}", $"{p}/members?flagged=true", $"{p}/stats", $"{p}/ambassadors",
        })
        {
            using var response = await Client.GetAsync(url);
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
            body.Remove("traceId"); // of problems: differs per request
            state[$"GET {url}"] = $"{(int)response.StatusCode} {body.ToJsonString()}";
        }
        state["ledger"] = string.Join("\n", (await GetLedgerAsync(world.ProgramId, world.MemberId)).Select(e => e.GetRawText()));

        // Every key of the program and of the other tenant: members, grants and inboxes, perks, code pools, event sets, KPIs, boards...
        var db = Factory.Redis.GetDatabase();
        foreach (var key in (await Factory.KeysAsync(RedisKeys.ProgramPattern(world.ProgramId))).Concat(await Factory.KeysAsync(RedisKeys.ProgramPattern(world.OtherProgramId))))
        {
            state[$"redis {key}"] = await DescribeAsync(db, key);
        }
        state[$"redis {RedisKeys.Client(world.ClientId)}"] = await DescribeAsync(db, RedisKeys.Client(world.ClientId));
        state[$"redis {RedisKeys.ProgramIndex} size"] = (await db.SortedSetLengthAsync(RedisKeys.ProgramIndex)).ToString();
        return state;
    }

    /// <summary>The snapshot holds what hostile perk and member requests could change, so a change cannot go unseen.</summary>
    private static void AssertSnapshotSeesPerksAndKpis(SortedDictionary<string, string> state, World world)
    {
        var p = world.ProgramId;
        string Redis(RedisKey key) => Assert.Contains($"redis {key}", (IDictionary<string, string>)state);
        Assert.Equal("list HOSTILE-2, HOSTILE-1", Redis(RedisKeys.PerkCodes(p, world.OfferPerkId)));
        Assert.DoesNotContain($"redis {RedisKeys.PerkCodes(p, world.DeletedPerkId)}", state.Keys); // a deleted perk leaves no key behind
        Assert.Equal("list OTHER-1", Redis(RedisKeys.PerkCodes(world.OtherProgramId, world.OtherPerkId)));
        Assert.Contains($"{world.OfferPerkId}=hostile-run|new|", Redis(RedisKeys.MemberGrants(p, world.MemberId)));
        Assert.Contains($"{world.EventPerkId}=", Redis(RedisKeys.MemberInbox(p, world.MemberId)));
        Assert.Contains("granted=1", Redis(RedisKeys.Perk(p, world.EventPerkId)));
        Assert.Contains("perksGranted=4", Redis(RedisKeys.Stats(p, ProgramTime.DayId(world.Today))));
        Assert.Equal($"set {world.FlaggedMemberId}", Redis(RedisKeys.FlaggedMembers(p)));
        Assert.Contains("\"state\":\"invited\"", state[$"GET /v1/programs/{p}/members/{world.MemberId}/perks"]);
        Assert.Contains("\"perks\":{\"granted\":4,", state[$"GET /v1/programs/{p}/stats"], StringComparison.Ordinal);
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
        // HyperLogLogs (active members per day) are strings to TYPE; others would show here by their type alone.
        var other => other.ToString(),
    };

    /// <summary>Every key in Redis (every primary of a cluster) but Hangfire's, which its server writes on its own schedule.</summary>
    private static string LinkToken(JsonElement invited) => invited.GetProperty("invitation").GetProperty("link").GetString()!.Split("#token=")[1];

    private async Task<HashSet<string>> AllKeysAsync() =>
        (await Factory.KeysAsync("*")).Where(k => !k.StartsWith(JobsSetup.KeyPrefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);

    private static string Excerpt(string text, int max = 200)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= max ? flat : flat[..max] + $"… ({text.Length} chars)";
    }

}
