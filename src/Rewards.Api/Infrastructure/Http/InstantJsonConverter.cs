using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rewards.Api.Infrastructure.Http;

/// <summary>
/// Every instant the API reads or writes (issue 13). Read: ISO 8601 with an explicit offset ('Z' or '±hh:mm'); a local time
/// without one is refused rather than guessed as UTC. Written: one format everywhere, millisecond precision
/// (2026-11-30T16:05:00.123+00:00), whether the value came from the clock (100 ns ticks) or from Redis (milliseconds).
/// </summary>
public sealed class InstantJsonConverter : JsonConverter<DateTimeOffset>
{
    public const string Format = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffzzz";

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException();
        }
        var text = reader.GetString()!;
        if (!reader.TryGetDateTimeOffset(out var value))
        {
            throw new TeachingJsonException(
                $"'{Errors.Problems.Excerpt(text)}' is not an ISO 8601 instant: send e.g. '2026-11-30T16:05:00Z' or '2026-11-30T17:05:00+01:00'.");
        }
        if (!HasOffset(text))
        {
            throw new TeachingJsonException(
                $"'{Errors.Problems.Excerpt(text)}' has no UTC offset: add 'Z' (UTC) or '±hh:mm' (e.g. '{text}Z' or '{text}+01:00').");
        }
        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(Format, CultureInfo.InvariantCulture));

    /// <summary>An ISO 8601 date-time ends with 'Z' or '±hh:mm' (or '±hhmm') after its time part.</summary>
    private static bool HasOffset(string text)
    {
        var t = text.IndexOf('T', StringComparison.OrdinalIgnoreCase);
        if (t < 0)
        {
            return false; // a bare date: no time, no offset
        }
        var time = text.AsSpan(t + 1);
        return time.EndsWith("Z", StringComparison.OrdinalIgnoreCase) || time.IndexOfAny('+', '-') > 0;
    }
}

/// <summary>A JSON reading error whose message tells the client what to send; the error handler shows it as is, with its path.</summary>
public sealed class TeachingJsonException(string message) : JsonException(message);
