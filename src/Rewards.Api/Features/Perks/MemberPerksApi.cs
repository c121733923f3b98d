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
            .ProducesProblems(404)
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("The member's perks, newest first, with their state")
            .WithDescription("States: offers new, claimed, expired; events invited, accepted, waitlisted, declined; news new. " + Paging.Description);
        member.MapPost("/perks/{perkId}/claim", Claim)
            .WithName(nameof(Claim))
            .ProducesProblems(404, 409, 410)
            .RequireAuthorization(Policies.MemberAct)
            .WithSummary("Claim an offer: reveals one code, the same one on every later call")
            .WithDescription("409 when the pool is empty, 410 when the offer expired.");
        member.MapPost("/perks/{perkId}/rsvp", Rsvp)
            .WithName(nameof(Rsvp))
            .ProducesProblems(404, 409)
            .RequireAuthorization(Policies.MemberAct)
            .WithSummary("Answer an event invitation: accept or decline")
            .WithDescription("Accepted until capacity, then waitlisted in order; a decline frees a seat for the first waitlisted member.");
        member.MapGet("/news", GetMemberNews)
            .WithName(nameof(GetMemberNews))
            .ProducesProblems(404)
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("News visible to the member now, early access included")
            .WithDescription("Newest publicAt first; news the member may read early (not public yet) come first. " + Paging.Description);

        app.MapGroup("/v1/programs/{programId}/news").WithTags("Member perks").RequireProgram()
            .MapGet("/", GetPublicNews)
            .WithName(nameof(GetPublicNews))
            .ProducesProblems(404)
            .RequireAuthorization(Policies.MemberRead)
            .WithSummary("Public news: past its publicAt")
            .WithDescription("Newest publicAt first. `locale` (a BCP 47 tag such as 'fr-CA') picks the texts: its own, its language's ('fr'), else the default. " +
                Paging.Description);
        return member;
    }

    public sealed record Inbox(IReadOnlyList<MemberPerk> Perks, long Total);

    public sealed record ClaimedCode(string Code);

    public sealed record RsvpRequest(string? Answer);

    public sealed record RsvpState(string State);

    public sealed record NewsFeed(IReadOnlyList<NewsItem> News, long Total);

    private static async Task<Results<Ok<Inbox>, ValidationProblem, ProblemHttpResult>> GetInbox(
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

    private static async Task<Results<Ok<ClaimedCode>, ProblemHttpResult>> Claim(
        string programId, string memberId, string perkId, RouteProgram route, MemberStore members, PerkStore perks)
    {
        var (perk, problem) = await ResolveAsync(programId, memberId, perkId, members, perks);
        if (problem is not null)
        {
            return problem;
        }
        if (perk!.Kind != "offer")
        {
            return Problems.Conflict("Only offers are claimed; answer events with rsvp.");
        }
        var (outcome, code) = await perks.ClaimAsync(programId, memberId, perk);
        return outcome switch
        {
            "code" => TypedResults.Ok(new ClaimedCode(code!)),
            "none" => PerksApi.PerkNotFound(),
            "expired" => Problems.Gone("This offer has expired."),
            _ => Problems.Conflict("No codes are left for this offer."),
        };
    }

    private static async Task<Results<Ok<RsvpState>, ValidationProblem, ProblemHttpResult>> Rsvp(
        string programId, string memberId, string perkId, RsvpRequest request, RouteProgram route, MemberStore members, PerkStore perks)
    {
        if (request.Answer is not ("accept" or "decline"))
        {
            return Problems.Invalid("answer", "Required: accept or decline.");
        }
        var (perk, problem) = await ResolveAsync(programId, memberId, perkId, members, perks);
        if (problem is not null)
        {
            return problem;
        }
        if (perk!.Kind != "event")
        {
            return Problems.Conflict("Only events take an RSVP.");
        }
        var state = await perks.AnswerAsync(programId, memberId, perkId, request.Answer, perk.Event!.Capacity);
        return state == "none" ? PerksApi.PerkNotFound() : TypedResults.Ok(new RsvpState(state));
    }

    private static async Task<Results<Ok<NewsFeed>, ValidationProblem, ProblemHttpResult>> GetMemberNews(
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

    private static async Task<Results<Ok<NewsFeed>, ValidationProblem, ProblemHttpResult>> GetPublicNews(
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

    private static async Task<(PerkDefinition? Perk, ProblemHttpResult? Problem)> ResolveAsync(
        string programId, string memberId, string perkId, MemberStore members, PerkStore perks)
    {
        var profile = await FindMemberAsync(members, programId, memberId);
        if (profile is null)
        {
            return (null, MembersApi.MemberNotFound(memberId));
        }
        if (profile.Status != "active")
        {
            return (null, Problems.Conflict($"The member is {profile.Status}."));
        }
        var found = Ids.IsValidGeneratedId(perkId) ? await perks.FindDefinitionAsync(programId, perkId) : null;
        return found is var (perk, _) ? (perk, null) : (null, PerksApi.PerkNotFound());
    }
}
