using Microsoft.AspNetCore.Http.HttpResults;
using Rewards.Api.Features.Members;
using Rewards.Api.Features.Programs;
using Rewards.Api.Infrastructure;
using Rewards.Api.Infrastructure.Auth;
using Rewards.Api.Infrastructure.Errors;

namespace Rewards.Api.Features.Perks;

/// <summary>The member's side of perks: inbox, claiming offers, answering invitations, news.</summary>
public static class MemberPerksApi
{
    public static RouteGroupBuilder MapMemberPerksApi(this IEndpointRouteBuilder app)
    {
        var member = app.MapGroup("/v1/programs/{programId}/members/{memberId}").WithTags("Member perks").RequireProgram();
        member.MapGet("/perks", GetInbox)
            .WithName(nameof(GetInbox))
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("The member's perks, newest first, with their state")
            .WithDescription("States: " + string.Join("; ", WireCode<PerkKind>.All.Select(k =>
                $"{k.ToWire()} {string.Join(", ", PerkCodes.StatesOf(k).Select(s => s.ToWire()))}")) + ". " + Paging.Description);
        member.MapPost("/perks/{perkId}/claim", Claim)
            .WithName(nameof(Claim))
            .RequireAuthorization(Policies.MemberAct)
            .WithSummary("Claim an offer: reveals one code, the same one on every later call")
            .WithDescription("409 when the pool is empty, 410 when the offer expired.");
        member.MapPost("/perks/{perkId}/rsvp", Rsvp)
            .WithName(nameof(Rsvp))
            .RequireAuthorization(Policies.MemberAct)
            .WithSummary("Answer an event invitation: accept or decline")
            .WithDescription("Accepted until capacity, then waitlisted in order; a decline frees a seat for the first waitlisted member.");
        member.MapGet("/news", GetMemberNews)
            .WithName(nameof(GetMemberNews))
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("News visible to the member now, early access included")
            .WithDescription("Newest publicAt first; news the member may read early (not public yet) come first. " + Paging.Description);

        app.MapGroup("/v1/programs/{programId}/news").WithTags("Member perks").RequireProgram()
            .MapGet("/", GetPublicNews)
            .WithName(nameof(GetPublicNews))
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("Public news: past its publicAt")
            .WithDescription("Newest publicAt first. `locale` (a BCP 47 tag such as 'fr-CA') picks the texts: its own, its language's ('fr'), else the default. " +
                Paging.Description);
        return member;
    }

    public sealed record Inbox(IReadOnlyList<MemberPerk> Perks, long Total);

    public sealed record ClaimedCode(string Code);

    public sealed record RsvpRequest([property: WireValues(typeof(RsvpAnswer))] string? Answer);

    public sealed record RsvpState(MemberPerkState State);

    public sealed record NewsFeed(IReadOnlyList<NewsItem> News, long Total);

    private static async Task<Results<Ok<Inbox>, ValidationProblem, NotFoundProblem>> GetInbox(
        string programId, string memberId, RouteProgram route, MemberStore members, PerkStore perks, int? offset = null, int? limit = null)
    {
        var v = new Validation().CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        if (await FindMemberAsync(members, programId, memberId) is null)
        {
            return MembersApi.MemberNotFound(memberId);
        }
        var (page, total) = await perks.InboxAsync(programId, memberId, offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new Inbox(page, total));
    }

    private static async Task<Results<Ok<ClaimedCode>, NotFoundProblem, ConflictProblem, GoneProblem>> Claim(
        string programId, string memberId, string perkId, RouteProgram route, MemberStore members, PerkStore perks)
    {
        var (perk, missing, conflict) = await ResolveAsync(programId, memberId, perkId, members, perks);
        if (missing is not null)
        {
            return missing;
        }
        if (conflict is not null)
        {
            return conflict;
        }
        if (perk!.Kind != PerkKind.Offer)
        {
            return Problems.Conflict("Only offers are claimed; answer events with rsvp.");
        }
        var (outcome, code) = await perks.ClaimAsync(programId, memberId, perk);
        return outcome switch
        {
            ClaimOutcome.Code => TypedResults.Ok(new ClaimedCode(code!)),
            ClaimOutcome.None => PerksApi.PerkNotFound(),
            ClaimOutcome.Expired => Problems.Gone("This offer has expired."),
            ClaimOutcome.Empty => Problems.Conflict("No codes are left for this offer."),
        };
    }

    private static async Task<Results<Ok<RsvpState>, ValidationProblem, NotFoundProblem, ConflictProblem>> Rsvp(
        string programId, string memberId, string perkId, RsvpRequest request, RouteProgram route, MemberStore members, PerkStore perks)
    {
        if (!WireCode<RsvpAnswer>.TryParse(request.Answer, out var answer))
        {
            return Problems.Invalid("answer", $"Required: {WireCode<RsvpAnswer>.List()}.");
        }
        var (perk, missing, conflict) = await ResolveAsync(programId, memberId, perkId, members, perks);
        if (missing is not null)
        {
            return missing;
        }
        if (conflict is not null)
        {
            return conflict;
        }
        if (perk!.Kind != PerkKind.Event)
        {
            return Problems.Conflict("Only events take an RSVP.");
        }
        return await perks.AnswerAsync(programId, memberId, perkId, answer, perk.Event!.Capacity) switch
        {
            RsvpOutcome.None => PerksApi.PerkNotFound(),
            RsvpOutcome.Accepted => TypedResults.Ok(new RsvpState(MemberPerkState.Accepted)),
            RsvpOutcome.Waitlisted => TypedResults.Ok(new RsvpState(MemberPerkState.Waitlisted)),
            RsvpOutcome.Declined => TypedResults.Ok(new RsvpState(MemberPerkState.Declined)),
        };
    }

    private static async Task<Results<Ok<NewsFeed>, ValidationProblem, NotFoundProblem>> GetMemberNews(
        string programId, string memberId, RouteProgram route, MemberStore members, PerkStore perks, int? offset = null, int? limit = null)
    {
        var v = new Validation().CheckPage(offset, limit);
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var profile = await FindMemberAsync(members, programId, memberId);
        if (profile is null)
        {
            return MembersApi.MemberNotFound(memberId);
        }
        var (news, total) = await perks.NewsAsync(programId, memberId, offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new NewsFeed([.. news.Select(n => ToItem(n.Perk, profile.Locale, n.Early))], total));
    }

    private static async Task<Results<Ok<NewsFeed>, ValidationProblem>> GetPublicNews(
        string programId, RouteProgram route, PerkStore perks, string? locale = null, int? offset = null, int? limit = null)
    {
        var v = new Validation().CheckPage(offset, limit)
            .Check(locale is null || Ids.IsValidLocale(locale), "locale", "When given: a BCP 47 language tag such as 'fr-FR'.");
        if (!v.IsValid)
        {
            return v.ToProblem();
        }
        var (news, total) = await perks.NewsAsync(programId, memberId: null, offset ?? 0, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new NewsFeed([.. news.Select(n => ToItem(n.Perk, locale, early: false))], total));
    }

    /// <summary>The body in the reader's locale ('fr-FR' falls back to 'fr', then to the default).</summary>
    private static NewsItem ToItem(PerkDefinition perk, string? locale, bool early)
    {
        var body = perk.News!.Body;
        var chosen = locale is null ? null
            : body.ContainsKey(locale) ? locale
            : locale.Split('-')[0] is var language && body.ContainsKey(language) ? language : null;
        chosen ??= "default";
        return new NewsItem(perk.PerkId, perk.Title, body[chosen], chosen, perk.News.EarlyAt, perk.News.PublicAt, early);
    }

    private static async Task<MemberProfile?> FindMemberAsync(MemberStore members, string programId, string memberId) =>
        Ids.IsValidId(memberId) ? await members.FindAsync(programId, memberId) : null;

    /// <summary>The perk for an active member, or the 404 or the 409 that answers instead.</summary>
    private static async Task<(PerkDefinition? Perk, NotFoundProblem? Missing, ConflictProblem? Conflict)> ResolveAsync(
        string programId, string memberId, string perkId, MemberStore members, PerkStore perks)
    {
        var profile = await FindMemberAsync(members, programId, memberId);
        if (profile is null)
        {
            return (null, MembersApi.MemberNotFound(memberId), null);
        }
        if (profile.Status != MemberStatus.Active)
        {
            return (null, null, Problems.Conflict($"The member is {profile.Status.ToWire()}."));
        }
        var found = Ids.IsValidGeneratedId(perkId) ? await perks.FindDefinitionAsync(programId, perkId) : null;
        return found is var (perk, _) ? (perk, null, null) : (null, PerksApi.PerkNotFound(), null);
    }
}
