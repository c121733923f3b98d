using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Rewards.Api.Features.Activities;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Rewards.Api.Infrastructure.OpenApi;

/// <summary>
/// A realistic example for every request body, by operation id, shown by Swagger UI's "Try it out". Each is a valid request
/// for the program the CreateProgram example creates (types review and share, tiers Bronze and Gold): tested by sending every
/// example of the committed document as is (RequestExamplesTests). Instants are far enough ahead to stay valid for a while.
/// </summary>
public static class RequestExamples
{
    private const string Program = """
        {"name":"Acme Coffee Club","timeZone":"Europe/Paris",
         "rules":{"review":{"points":50,"dailyCap":3,"uniquePerTarget":true},"share":{"points":10,"cooldownSeconds":60}},
         "leaderboardRetention":12,
         "tiers":[{"name":"Bronze","minLifetimePoints":0},{"name":"Gold","minLifetimePoints":2000}],
         "badges":[{"id":"first-review","name":"First review","when":{"activityType":"review","count":1}}],
         "velocity":{"maxPerMinute":30},"pointsExpiry":"P12M","expiringNoticeDays":30}
        """;

    public static readonly IReadOnlyDictionary<string, string> ByOperation = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["CreateProgram"] = """{"id":"acme-coffee",""" + Program.Trim()[1..],
        ["UpdateProgram"] = Program,
        ["PatchProgram"] = """{"rules":{"review":{"points":80}}}""",
        ["PutQuotas"] = """{"maxPerks":200,"maxCodesPerPool":20000}""",
        ["CreateClient"] = """{"name":"Acme web shop","scopes":["rewards.activities","rewards.read"]}""",
        ["PutMember"] = """{"displayName":"Alice Martin","locale":"fr-FR"}""",
        [nameof(RecordActivity)] = """{"memberId":"alice","type":"review","targetId":"product-42"}""",
        [nameof(RecordActivityBatch)] = """
            {"activities":[
              {"idempotencyKey":"store-12-sync-0001","memberId":"alice","type":"share","targetId":"post-7"},
              {"idempotencyKey":"store-12-sync-0002","memberId":"bob","type":"review","targetId":"product-42"}]}
            """,
        ["Approve"] = """{"reason":"Photo checked by a moderator"}""",
        ["Reject"] = """{"reason":"Photo does not show the product"}""",
        ["Reverse"] = """{"reason":"Duplicate review removed"}""",
        ["ModerateMany"] = """{"action":"approve","activityIds":["01a22d621f307ab2b0722c7f02274ae0","01a22d621f4f705ab12fc9e6ecb76665"],"reason":"Photos checked by a moderator"}""",
        ["CreatePerk"] = """
            {"kind":"offer","title":"10% off your next coffee","description":"For members with 500 points or more",
             "offer":{"generateCodes":100,"expiresAt":"2027-06-30T22:00:00Z"},
             "audience":{"type":"minLifetimePoints","points":500},
             "schedule":{"type":"at","at":"2027-01-15T08:00:00Z"}}
            """,
        ["PatchPerk"] = """{"status":"paused"}""",
        ["AddCodes"] = """{"codes":["COFFEE10-7QX2","COFFEE10-9KD4"]}""",
        ["Rsvp"] = """{"answer":"accept"}""",
        ["AdjustPoints"] = """{"points":50,"reason":"goodwill","note":"Parcel arrived two weeks late","countsTowardLifetime":false}""",
        ["CreateReward"] = """
            {"kind":"voucher","title":{"default":"Free coffee","fr":"Café offert"},"description":{"default":"Any size, in any store"},
             "costPoints":500,"stock":1000,"limit":{"count":1,"per":"week"},"availableFrom":"2026-12-01T00:00:00+01:00",
             "audience":{"minTier":"Bronze"}}
            """,
        ["PatchReward"] = """{"title":{"default":"Free coffee or tea","fr":"Café ou thé offert"},"stock":250}""",
        [nameof(Features.Catalogue.RedeemReward)] = """{"rewardId":"019ad5e2c4a97f31b5e0c2d9a8f41e6b","quantity":1,"hold":true,"holdMinutes":10}""",
        ["SetFulfilment"] = """{"status":"shipped"}""",
        ["InviteToProgram"] = """{"email":"lea.martin@acme.example","role":"marketer"}""",
        ["UpdateProgramPerson"] = """{"role":"analyst","disabled":false}""",
        ["InviteOperator"] = """{"email":"ops@rewards.example"}""",
        ["SignIn"] = """{"email":"camille.durand@acme.example","password":"correct horse battery staple"}""",
        ["AcceptInvitation"] = """{"token":"pe_3f9a1c0e5b7d2468ace13579.Qm9uam91ciBDYW1pbGxlISBXZWxjb21lIHRvIEFjbWU","password":"correct horse battery staple","displayName":"Camille Durand"}""",
        ["CreateWebhook"] = """{"url":"https://crm.example.com/hooks/rewards","eventTypes":["tier.changed","badge.earned","member.*"],"description":"CRM sync"}""",
        ["PatchWebhook"] = """{"eventTypes":["tier.changed","redemption.created"],"enabled":true}""",
        ["ReplayFailedWebhookEvents"] = """{"since":"2026-11-01T08:00:00Z"}""",
    };

    /// <summary>Sets each request body's example; fails the document when an operation with a body has none.</summary>
    internal sealed class Filter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (operation.RequestBody?.Content is not { } content)
            {
                return;
            }
            var id = operation.OperationId ?? context.ApiDescription.ActionDescriptor.DisplayName;
            if (id is null || !ByOperation.TryGetValue(id, out var example))
            {
                throw new InvalidOperationException($"Operation {id} takes a body but has no example in {nameof(RequestExamples)}.");
            }
            foreach (var media in content.Values.OfType<OpenApiMediaType>())
            {
                media.Example = JsonNode.Parse(example);
            }
        }
    }

    /// <summary>Headers the handlers require although they read them as optional (to answer their absence with a 400 that says so).</summary>
    internal sealed class RequiredHeadersFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
            {
                if (parameter.In == ParameterLocation.Header && parameter.Name == Features.Activities.RecordActivity.IdempotencyHeader)
                {
                    parameter.Required = true;
                    parameter.Description = "Unique per activity (1–128 printable ASCII characters): a retry with the same key and body " +
                        "replays the original answer.";
                    parameter.Example = JsonValue.Create("9f2c4e1a-7b3d-4c55-a0e2-5d1f8c3b6a90");
                }
            }
        }
    }

    /// <summary>
    /// The fields each request body must have. The request records keep them nullable so that a missing one is answered with
    /// a 400 naming it; the document says what a caller must send: required, not null. (ProgramRequest is also the schema of
    /// a merge patch, where every field is optional and null removes one: its fields stay optional in the document.)
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> RequiredFields = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["RecordActivityRequest"] = ["memberId", "type"],
        ["BatchActivityRequest"] = ["idempotencyKey", "memberId", "type"],
        ["RecordActivityBatchRequest"] = ["activities"],
        ["CreateClientRequest"] = ["name", "scopes"],
        ["RsvpRequest"] = ["answer"],
        ["BulkModerationRequest"] = ["action", "activityIds"],
        ["CreatePerkRequest"] = ["kind", "title", "audience", "schedule"],
        ["PerkStatusRequest"] = ["status"],
        ["CodesRequest"] = ["codes"],
        ["EarningRuleRequest"] = ["points"],
        ["TierRequest"] = ["name", "minLifetimePoints"],
        ["BadgeRequest"] = ["id", "name", "when"],
        ["VelocityRequest"] = ["maxPerMinute"],
        ["CreateRewardRequest"] = ["kind", "title", "costPoints"],
        ["RewardLimitRequest"] = ["count"],
        ["RedeemRequest"] = ["rewardId"],
        ["FulfilmentRequest"] = ["status"],
        ["InviteRequest"] = ["email", "role"],
        ["OperatorInviteRequest"] = ["email"],
        ["UpdateRoleRequest"] = ["role"],
        ["SignInRequest"] = ["email", "password"],
        ["AcceptInvitationRequest"] = ["token", "password", "displayName"],
        ["CreateWebhookRequest"] = ["url"],
        ["ReplayRequest"] = ["since"],
    };

    internal sealed class RequiredFieldsFilter : ISchemaFilter
    {
        public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
        {
            if (schema is not OpenApiSchema concrete || !RequiredFields.TryGetValue(context.Type.Name, out var fields) || concrete.Properties is null)
            {
                return;
            }
            concrete.Required ??= new HashSet<string>();
            foreach (var field in fields)
            {
                if (!concrete.Properties.TryGetValue(field, out var property))
                {
                    throw new InvalidOperationException($"{context.Type.Name} has no field '{field}' ({nameof(RequiredFields)}).");
                }
                concrete.Required.Add(field);
                if (property is OpenApiSchema { Type: { } type } p)
                {
                    p.Type = type & ~JsonSchemaType.Null;
                }
            }
        }
    }
}
