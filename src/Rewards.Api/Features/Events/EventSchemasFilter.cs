using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Rewards.Api.Features.Events;

/// <summary>
/// Publishes every event type's data schema in the OpenAPI document's components (named after its record, e.g.
/// `ActivityAwardedData`), described with its type and naming it in `x-event-type`, and the envelope (`ProgramEvent`): webhooks
/// and live streams send the same.
/// </summary>
public sealed class EventSchemasFilter : IDocumentFilter
{
    /// <summary>The extension naming, on each event data schema, the event type whose data it is.</summary>
    public const string EventTypeExtension = "x-event-type";

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        context.SchemaGenerator.GenerateSchema(typeof(ProgramEvent), context.SchemaRepository);
        foreach (var (type, (data, description)) in EventTypes.All)
        {
            context.SchemaGenerator.GenerateSchema(data, context.SchemaRepository);
            if (context.SchemaRepository.Schemas.TryGetValue(data.Name, out var schema) && schema is OpenApiSchema s)
            {
                s.Description = $"The data of `{type}` events: {description}";
                // Machine-readable: SDK generators map each event type to its data schema with it (sdk/typescript: RewardsEvent).
                s.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                s.Extensions[EventTypeExtension] = new JsonNodeExtension(System.Text.Json.Nodes.JsonValue.Create(type));
            }
        }
    }
}
