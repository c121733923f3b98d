using Microsoft.Extensions.Options;
using Rewards.Api.Infrastructure.Auth;

namespace Rewards.Api.Features.People;

/// <summary>
/// Failed console sign-ins per address and per e-mail address, on this instance: the token endpoint's failure budgets
/// (<see cref="FailedAttempts"/>) with the console's limits (<see cref="PeopleOptions.AddressFailureBurst"/>, refilled at
/// <see cref="PeopleOptions.AddressFailuresPerMinute"/>). The account lockout itself is kept in Redis, for every instance
/// (<see cref="PeopleStore.SignInFailedAsync"/>).
/// </summary>
public sealed class SignInAttempts(IOptions<PeopleOptions> options)
    : FailedAttempts(() => (options.Value.AddressFailuresPerMinute / 60, options.Value.AddressFailureBurst));
