namespace Rewards.Faults;

/// <summary>
/// What a well-behaved client does after an outage: send every request that did not get a 201 again, with the same
/// Idempotency-Key and body. Each must now be answered 201 — replayed when Redis had recorded it before the answer
/// was lost, recorded now otherwise. A sample of acknowledged requests is sent again too: each must replay its
/// original answer.
/// </summary>
public static class Retries
{
    /// <summary>Returns the final answer of every idempotency key: the first 201, from the run or from its retry.</summary>
    public static async Task<Dictionary<string, AwardAnswer>> RunAsync(AwardClient client, List<AwardAnswer> answers, int sample, Report report)
    {
        Report.Section("client retries with the same Idempotency-Key");
        var final = answers.Where(a => a.Status == 201).ToDictionary(a => a.Key, StringComparer.Ordinal);

        var failed = answers.Where(a => a.Status != 201).ToList();
        var retried = await SendAllAsync(client, failed, a => a.Instance);
        foreach (var answer in retried.Where(a => a.Status == 201))
        {
            final[answer.Key] = answer;
        }
        var ok = retried.Count(a => a.Status == 201);
        var replayed = retried.Count(a => a.Status == 201 && a.Replayed);
        if (failed.Count == 0)
        {
            Report.Info("no failed request to retry");
        }
        else
        {
            report.Check(ok == failed.Count,
                $"{failed.Count} failed requests retried: {ok} answered 201 ({replayed} replayed: recorded before their answer was lost; " +
                $"{ok - replayed} recorded by the retry); not 201: {Drive.Describe(Check.Count(retried.Where(a => a.Status != 201)))}");
        }

        var acknowledged = answers.Where(a => a.Status == 201).OrderBy(a => a.Key, StringComparer.Ordinal).ToList();
        var step = Math.Max(1, acknowledged.Count / Math.Max(1, sample));
        var picked = acknowledged.Where((_, i) => i % step == 0).Take(sample).ToList();
        // Through the other instance when there are two: any instance must replay what another one answered.
        var again = await SendAllAsync(client, picked, a => (a.Instance + 1) % client.Instances);
        var same = again.Zip(picked).Count(p => p.First.Status == 201 && p.First.Replayed && p.First.ActivityId == p.Second.ActivityId
            && p.First.Result == p.Second.Result && p.First.Points == p.Second.Points);
        report.Check(picked.Count > 0 && same == picked.Count,
            $"{picked.Count} acknowledged requests sent again{(client.Instances > 1 ? " through the other instance" : "")}: {same} replayed their original answer (activity id, status, points)");
        return final;
    }

    private static async Task<List<AwardAnswer>> SendAllAsync(AwardClient client, List<AwardAnswer> originals, Func<AwardAnswer, int> instance)
    {
        var results = new AwardAnswer[originals.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, originals.Count), new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, _) => results[i] = await client.SendAsync(originals[i].Request, instance(originals[i])));
        return [.. results];
    }
}
