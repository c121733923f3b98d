using Rewards.Faults;

// Fault-injection tool for scripts/faults (not a test project):
//   drive  — sends awards at full speed from many workers and records every request and its answer (JSON lines);
//   check  — reads those answers, retries the failed ones with their Idempotency-Key, and audits Redis;
//   grants — audits one perk's grant run in Redis (one run, every member granted once, the Hangfire job's executions);
//   receive — a webhook receiver: records the webhook-id of every delivery (a file of lines), answers 200;
//   emit   — appends events to a program's event stream at a given rate (as the API's scripts do with every change);
//   webhooks — compares the events emitted with the ids received: emitted, delivered, duplicates, lost (must be 0).
// Exit code 0 when every check passed, 1 when one failed, 2 on bad usage.
try
{
    if (args.Length == 0)
    {
        return Usage();
    }
    var options = Options.Parse(args[1..]);
    return args[0] switch
    {
        "drive" => await Drive.RunAsync(options),
        "check" => await Check.RunAsync(options),
        "grants" => await GrantAudit.RunAsync(options),
        "receive" => await WebhookFaults.ReceiveAsync(options),
        "emit" => await WebhookFaults.EmitAsync(options),
        "webhooks" => await WebhookFaults.AuditAsync(options),
        _ => Usage(),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine($"usage error: {e.Message}");
    return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("""
        usage: Rewards.Faults drive --urls URL[,URL...] --token TOKEN --program ID --run RUN --out FILE
                                    [--workers 48] [--members 1000] [--timeout-ms 5000] [--stop-file FILE] [--max-seconds 120]
               Rewards.Faults check --results FILE --redis HOST:PORT --urls URL[,URL...] --token TOKEN --program ID
                                    [--killed-at MS --restarted-at MS --ready-at MS] [--max-down-latency-ms 1000]
                                    [--recovery-limit-ms 5000] [--replay-sample 500]
               Rewards.Faults grants --redis HOST:PORT --program ID --perk ID [--executions 1] [--servers PID=LABEL,...]
               Rewards.Faults receive --port PORT --out FILE
               Rewards.Faults emit --redis HOST:PORT --program ID --count N [--rate 2000]
               Rewards.Faults webhooks --redis HOST:PORT --program ID --received FILE [--endpoint ID]
        """);
    return 2;
}
