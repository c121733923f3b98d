namespace Rewards.Api.Features.People;

/// <summary>
/// Delivers invitation links. The default delivers nothing: the inviter gets the link in the invitation's answer and passes it
/// on. A deployment that mails invitations registers its own sender (<c>services.AddSingleton&lt;IInvitationSender, MySender&gt;()</c>)
/// whose <see cref="Delivers"/> is true: the answer then says the link was sent and no longer shows it.
/// </summary>
public interface IInvitationSender
{
    /// <summary>True when <see cref="SendAsync"/> really delivers the link to the invited address.</summary>
    bool Delivers { get; }

    Task SendAsync(string email, string link, DateTimeOffset expiresAt, CancellationToken cancellationToken);
}

/// <summary>No mail: the link goes back to the inviter.</summary>
public sealed class InviterDeliversInvitations : IInvitationSender
{
    public bool Delivers => false;

    public Task SendAsync(string email, string link, DateTimeOffset expiresAt, CancellationToken cancellationToken) => Task.CompletedTask;
}
