using Rewards.Api.Infrastructure.Redis;
using StackExchange.Redis;
using System.Net;
using System.Text.Json;
using Rewards.Api.Features.Activities;
using Rewards.Tests.Infrastructure;

namespace Rewards.Tests.Features.Activities;

public sealed class IdempotencyTests(RewardsApiFactory factory) : ApiTest(factory)
{
    [Fact]
    public async Task SameKeyAndBody_ReplaysOriginalAnswer_AndWritesNothing()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var body = new { memberId = "m-1", type = "review", targetId = "p-1" };

        var first = await PostActivityAsync(id, body, "key-1");
        var second = await PostActivityAsync(id, body, "key-1");

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.True(second.Headers.TryGetValues("Idempotent-Replayed", out var replayed) && replayed.Single() == "true");
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Single(await GetLedgerAsync(id, "m-1"));
        Assert.Equal(50, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task Record_IsOneShortFieldOfItsGenerationHash_RememberedAtLeastTwoDays()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, "remember-me");

        var stored = Assert.Single(await Factory.KeysAsync(RedisKeys.ProgramPattern(id).Replace("*", "idem:*", StringComparison.Ordinal)));
        var db = Factory.Redis.GetDatabase();
        var slot = IdempotencySlot.For(id, IdempotencySlot.Hash("remember-me"), "00000000000000000000000000000000", RewardsApiFactory.DefaultNow);
        Assert.Equal(slot.Current.ToString(), stored);
        var fields = await db.HashGetAllAsync(stored);
        // The record and the expiry mark ('~', written with the generation's first record: later ones send no EXPIRE).
        Assert.Equal(2, fields.Length);
        Assert.Contains(fields, f => f.Name == "~" && f.Value == "");
        var record = Assert.Single(fields, f => f.Name != "~");
        // Small enough for the compact listpack encoding, and even in a hash table within 120 bytes (docs/storage.md).
        Assert.Equal(IdempotencySlot.FieldBytes, ((byte[])record.Name!).Length);
        Assert.InRange(((byte[])record.Value!).Length, 1, 44);
        Assert.Equal("listpack", (string?)await db.ExecuteAsync("OBJECT", "ENCODING", stored));
        var ttl = await db.KeyTimeToLiveAsync(stored);
        Assert.InRange(ttl!.Value, TimeSpan.FromHours(48), TimeSpan.FromHours(96));
    }

    [Fact]
    public async Task GenerationHash_GetsItsExpiryWithItsFirstRecordOnly_AndAgainWhenItHasNoMark()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var db = Factory.Redis.GetDatabase();
        var now = RewardsApiFactory.DefaultNow;
        RedisKey ShardOf(string key) => IdempotencySlot.For(id, IdempotencySlot.Hash(key), "00000000000000000000000000000000", now).Current;
        // Three keys of one shard (10 bits of the key hash: a few thousand tries at most).
        var first = "shard-key-0";
        var hash = ShardOf(first);
        var same = Enumerable.Range(1, 100_000).Select(i => $"shard-key-{i}").Where(k => ShardOf(k) == hash).Take(2).ToArray();

        await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, first);
        Assert.NotNull(await db.KeyTimeToLiveAsync(hash));
        // With the mark there, a further record sends no EXPIRE: the expiry taken away here stays away.
        await db.KeyPersistAsync(hash);
        await PostActivityAsync(id, new { memberId = "m-2", type = "review" }, same[0]);
        Assert.Null(await db.KeyTimeToLiveAsync(hash));
        // A hash without the mark (written by the former code, which set the expiry with every record) gets both again.
        await db.HashDeleteAsync(hash, "~");
        await PostActivityAsync(id, new { memberId = "m-3", type = "review" }, same[1]);
        Assert.InRange((await db.KeyTimeToLiveAsync(hash))!.Value, TimeSpan.FromHours(48), TimeSpan.FromHours(96));
        Assert.True(await db.HashExistsAsync(hash, "~"));
        Assert.Equal(4, await db.HashLengthAsync(hash));
    }

    [Fact]
    public async Task Replay_IsAnswered_AcrossAGenerationBoundary_ForTheWholeRetention()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var retention = IdempotencySlot.Retention;
        var nextGeneration = DateTimeOffset.FromUnixTimeSeconds((IdempotencySlot.GenerationOf(RewardsApiFactory.DefaultNow) + 1) * (long)retention.TotalSeconds);
        Factory.SetUtcNow(nextGeneration - TimeSpan.FromMinutes(1)); // the last minute of a generation
        var first = await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, "edge-key");

        foreach (var later in new[] { TimeSpan.FromMinutes(2), retention - TimeSpan.FromMinutes(2) })
        {
            Factory.SetUtcNow(nextGeneration - TimeSpan.FromMinutes(1) + later); // the next generation: found in the previous one
            var replay = await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, "edge-key");
            Assert.True(replay.Headers.Contains("Idempotent-Replayed"), $"not replayed {later} after");
            Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
            await AssertProblemAsync(await PostActivityAsync(id, new { memberId = "m-2", type = "review" }, "edge-key"), HttpStatusCode.Conflict);
        }

        // Two generations on, the record's generation is no longer read (its hash expires then): the key is free again.
        Factory.SetUtcNow(nextGeneration + retention + TimeSpan.FromMinutes(1));
        var fresh = await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, "edge-key");
        Assert.Equal(HttpStatusCode.Created, fresh.StatusCode);
        Assert.False(fresh.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(2, (await GetLedgerAsync(id, "m-1")).Count);
    }

    [Fact]
    public async Task LongRecord_OverflowsToItsOwnKey_AndIsReplayed()
    {
        // Three badges with long ids unlocked at once: the answer is too long for a listpack value (64 bytes).
        var badges = Enumerable.Range(1, 3).Select(i => new
        {
            id = $"a-badge-with-a-rather-long-identifier-{i}", name = $"Badge {i}", when = new { activityType = "review", count = 1 },
        });
        var id = await CreateProgramAsync(new { rules = new { review = new { points = 50 } }, badges });
        var first = await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, "long-key");
        Assert.Equal(3, JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("newBadges").GetArrayLength());

        var slot = IdempotencySlot.For(id, IdempotencySlot.Hash("long-key"), "00000000000000000000000000000000", RewardsApiFactory.DefaultNow);
        var db = Factory.Redis.GetDatabase();
        Assert.Equal("", (string?)await db.HashGetAsync(slot.Current, slot.Field));
        Assert.True(await db.KeyExistsAsync(slot.Own));
        Assert.Equal("listpack", (string?)await db.ExecuteAsync("OBJECT", "ENCODING", slot.Current));

        var replay = await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, "long-key");
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        await AssertProblemAsync(await PostActivityAsync(id, new { memberId = "m-2", type = "review" }, "long-key"), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task RecordOfTheOldLayout_IsStillHonoured_AfterTheUpgrade_ThenNoLongerRead()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var db = Factory.Redis.GetDatabase();
        // A program as the old layout left it: no legacyIdempotencyUntil, and a record stored under the key's own string
        // (as award.lua wrote it then) for an activity answered before the upgrade.
        await db.HashDeleteAsync(RedisKeys.Program(id), "legacyIdempotencyUntil");
        var body = new RecordActivityRequest("m-1", "review", null, null);
        var (keyHash, requestHash) = RecordActivity.Hashes("before-upgrade", body);
        const string activityId = "0190f0c0a0b0c0d0e0f0a0b0c0d0e0f0";
        await db.StringSetAsync(RedisKeys.Idempotency(id, keyHash), $"{requestHash}|{activityId}|awarded||50|0|50|50|0|0||", TimeSpan.FromHours(48));

        var replay = await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, "before-upgrade");
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        var answer = JsonDocument.Parse(await replay.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(activityId, answer.GetProperty("activityId").GetString());
        Assert.Equal(50, answer.GetProperty("balance").GetInt64());
        await GetJsonAsync($"/v1/programs/{id}/members/m-1", HttpStatusCode.NotFound); // nothing awarded twice (nor at all)
        await AssertProblemAsync(await PostActivityAsync(id, new { memberId = "m-2", type = "review" }, "before-upgrade"), HttpStatusCode.Conflict);
        var until = (long)await db.HashGetAsync(RedisKeys.Program(id), "legacyIdempotencyUntil");
        Assert.Equal((RewardsApiFactory.DefaultNow + IdempotencySlot.LegacyWindow).ToUnixTimeMilliseconds(), until);

        // Once no record of the old layout can be left, they are not looked up (the string is still there: Redis's clock).
        Factory.SetUtcNow(RewardsApiFactory.DefaultNow + IdempotencySlot.LegacyWindow + TimeSpan.FromMinutes(1));
        var after = await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, "before-upgrade");
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
        Assert.False(after.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task NewProgram_NeverLooksUpTheOldLayout()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var db = Factory.Redis.GetDatabase();
        var body = new RecordActivityRequest("m-1", "review", null, null);
        var (keyHash, requestHash) = RecordActivity.Hashes("never-old", body);
        await db.StringSetAsync(RedisKeys.Idempotency(id, keyHash), $"{requestHash}|0190f0c0a0b0c0d0e0f0a0b0c0d0e0f0|awarded||50|0|50|50|0|0||", TimeSpan.FromHours(48));

        var response = await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, "never-old");

        Assert.False(response.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(0, (long)await db.HashGetAsync(RedisKeys.Program(id), "legacyIdempotencyUntil"));
    }

    [Fact]
    public async Task Replay_ReturnsTheOriginalAnswer_ForEveryKindOfAnswer()
    {
        // The compact record keeps every field of every kind of answer: pending points, a reason and retryAt, a tier change,
        // new badges, a seven-digit balance.
        var id = await CreateProgramAsync(new
        {
            rules = new
            {
                review = new { points = 50, requiresApproval = true },
                share = new { points = 1_000_000, cooldownSeconds = 3600 },
                comment = new { points = 7 },
            },
            tiers = new[] { new { name = "Bronze", minLifetimePoints = 0 }, new { name = "Silver", minLifetimePoints = 100 } },
            badges = new[] { new { id = "first-share", name = "First share", when = new { activityType = "share", count = 1 } } },
        });
        var requests = new (string Key, object Body)[]
        {
            ("pending", new { memberId = "m-1", type = "review", targetId = "p-1" }),
            ("tier-and-badge", new { memberId = "m-1", type = "share", targetId = "s-1" }),
            ("cooldown", new { memberId = "m-1", type = "share", targetId = "s-2" }),
        };
        var answers = new List<string>();
        foreach (var (key, body) in requests)
        {
            answers.Add(await (await PostActivityAsync(id, body, key)).Content.ReadAsStringAsync());
        }
        var comment = await PostActivityAsync(id, new { memberId = "m-1", type = "comment" }, "comment");
        answers.Add(await comment.Content.ReadAsStringAsync());
        requests = [.. requests, ("comment", new { memberId = "m-1", type = "comment" })];
        Assert.Equal(1_000_007, JsonDocument.Parse(answers[3]).RootElement.GetProperty("balance").GetInt64());

        var cooldown = JsonDocument.Parse(answers[2]).RootElement;
        Assert.Equal("cooldown", cooldown.GetProperty("reason").GetString());
        Assert.True(cooldown.TryGetProperty("retryAt", out _));
        Assert.Equal("Silver", JsonDocument.Parse(answers[1]).RootElement.GetProperty("tier").GetString());
        Assert.Equal(50, JsonDocument.Parse(answers[0]).RootElement.GetProperty("pendingPoints").GetInt64());
        for (var i = 0; i < requests.Length; i++)
        {
            var replay = await PostActivityAsync(id, requests[i].Body, requests[i].Key);
            Assert.True(replay.Headers.Contains("Idempotent-Replayed"), requests[i].Key);
            Assert.Equal(answers[i], await replay.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task SameKey_DifferentBody_Conflicts()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        await PostActivityAsync(id, new { memberId = "m-1", type = "review", targetId = "p-1" }, "key-1");

        var response = await PostActivityAsync(id, new { memberId = "m-1", type = "review", targetId = "p-2" }, "key-1");

        await AssertProblemAsync(response, HttpStatusCode.Conflict);
        Assert.Single(await GetLedgerAsync(id, "m-1"));
    }

    [Fact]
    public async Task Replay_ReturnsOriginalAnswer_EvenAfterRulesOrTimeMovedOn()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var occurredAt = RewardsApiFactory.DefaultNow.AddDays(-6);
        var first = await PostActivityAsync(id, new { memberId = "m-1", type = "review", occurredAt }, "key-1");

        Factory.Clock.Advance(TimeSpan.FromDays(1.5)); // occurredAt is now older than the 7 days accepted
        var second = await PostActivityAsync(id, new { memberId = "m-1", type = "review", occurredAt }, "key-1");

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task IdempotencyKey_IsScopedToItsProgram()
    {
        var a = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var b = await CreateProgramAsync("""{ "review": { "points": 50 } }""");

        await PostActivityAsync(a, new { memberId = "m-1", type = "review" }, "shared-key");
        var other = await PostActivityAsync(b, new { memberId = "m-1", type = "review" }, "shared-key");

        Assert.False(other.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(50, (await GetMemberAsync(b, "m-1")).GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task MissingOrInvalidKey_IsRefused()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var withoutKey = new HttpRequestMessage(HttpMethod.Post, $"/v1/programs/{id}/activities")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { memberId = "m-1", type = "review" }),
        };

        await AssertProblemAsync(await Client.SendAsync(withoutKey), HttpStatusCode.BadRequest);
        await AssertProblemAsync(await PostActivityAsync(id, new { memberId = "m-1", type = "review" }, new string('k', 129)), HttpStatusCode.BadRequest);
        await GetJsonAsync($"/v1/programs/{id}/members/m-1", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task FiftyConcurrentRequests_WithOneKey_WriteExactlyOneEntry()
    {
        var id = await CreateProgramAsync("""{ "review": { "points": 50 } }""");
        var body = new { memberId = "m-1", type = "review" };

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => PostActivityAsync(id, body, "same-key")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async r =>
            JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("activityId").GetString()));
        Assert.Single(ids.Distinct());
        Assert.Equal(49, responses.Count(r => r.Headers.Contains("Idempotent-Replayed")));
        Assert.Single(await GetLedgerAsync(id, "m-1"));
        Assert.Equal(50, (await GetMemberAsync(id, "m-1")).GetProperty("balance").GetInt64());
    }
}
