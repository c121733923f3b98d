namespace Rewards.Tests.Features.Events;

/// <summary>
/// Marks a test that shows each named event type emitted by its change, in the change's run, and not by a refused, failed,
/// replayed or repeated one (issue 16). EventContractTests.EveryEventType_HasAnEmissionTest fails when a type of
/// EventTypes has no such test, so a new type cannot be added untested.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EmitsAttribute(params string[] types) : Attribute
{
    public IReadOnlyList<string> Types { get; } = types;
}
