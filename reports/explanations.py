"""What each finding pattern means for people and what to do about it, in plain language.

Definitions and thresholds are in docs/analytics.md; `source` names the research each pattern
rests on (or says that it is an operational definition). The org-health reports and the HR
portal show the same texts.
"""

from __future__ import annotations

from dataclasses import dataclass

SINGLE_LEADER_METRIC = "single_leader_share"
SINGLE_LEADER_MEANING = (
    "Following a single leader is the default attention-blindness state: a conventional "
    "hierarchy, where people follow their manager only, is expected to show it."
)


@dataclass(frozen=True)
class Explanation:
    pattern: str
    title: str
    meaning: str  # what it says about people's working life
    action: str  # what HR and managers can do
    source: str

    @property
    def summary(self) -> str:
        """The meaning's first sentence: the one-line meaning shown next to a count."""
        first, period, _ = self.meaning.partition(". ")
        return first + "." if period else self.meaning


EXPLANATIONS: dict[str, Explanation] = {
    item.pattern: item
    for item in (
        Explanation(
            "attention_blindness",
            "Following a single leader",
            "Some people follow exactly one leader across every context they work in. They "
            "depend on one person for direction and feedback, and miss the perspectives other "
            "leaders would give them.",
            "Encourage people to name the colleagues they actually learn from in each team, "
            "project and community; pair them with mentors outside their reporting line.",
            "Leadership by recognition (follows recorded in Sociograph); see docs/analytics.md, "
            "health index component leadership_coverage.",
        ),
        Explanation(
            "single_point_leader",
            "Single-point leaders",
            "In some contexts at least 80 % of the follows point to one person. The group relies "
            "on a single person: when they are away or leave, the group loses its direction, "
            "and that person carries a heavy load.",
            "Share leadership deliberately: give others visible ownership of parts of the work, "
            "and check the workload of the person everyone follows.",
            "Freeman, Social Networks 1 (1979): centralization of a network around one node.",
        ),
        Explanation(
            "unrecognized_formal_leader",
            "Unfollowed managers",
            "Some managers have direct reports none of whom follows or recognized them in the "
            "window. Formal authority is not matched by earned trust, which often goes with "
            "disengagement on both sides.",
            "Offer these managers coaching and honest feedback conversations with their teams; "
            "look at whether the team's real leader is someone else and support both.",
            "Leadership earned by recognition rather than position (Sociograph's premise); "
            "an operational definition, no published threshold.",
        ),
        Explanation(
            "informal_leader",
            "Informal leaders",
            "Some people without direct reports are followed by three or more colleagues. "
            "They lead by the trust they earned; this is a strength, but their influence is "
            "usually invisible to the organization and unrewarded.",
            "Recognize their role, involve them in decisions that affect the people who follow "
            "them, and consider them for leadership development.",
            "Leadership earned by recognition (follows recorded in Sociograph); an operational "
            "definition.",
        ),
        Explanation(
            "isolation",
            "Isolated people",
            "Some active people had no recorded interaction and received no recognition in the "
            "window. Social isolation harms health and well-being as much as well-known risk "
            "factors do.",
            "Check in personally and discreetly (they may simply work through channels that "
            "leave no trace); make sure newcomers and remote people are included in team "
            "routines.",
            "Holt-Lunstad, Smith & Layton, PLoS Medicine 7 (2010): social relationships and "
            "mortality risk.",
        ),
        Explanation(
            "invisible_contributor",
            "Invisible contributors",
            "Some people are among the most connected (interaction count in the top quarter) "
            "but received no recognition. Their work keeps others going yet goes unseen, which "
            "wears down motivation.",
            "Make this work visible: thank it in team meetings, and ask managers whose support "
            "work they rely on.",
            "Star & Strauss, Computer Supported Cooperative Work 8 (1999): layers of invisible "
            "work.",
        ),
        Explanation(
            "recognition_ring",
            "Recognition rings",
            "Small groups (3 to 12 people) give most of their recognitions to one another. It "
            "may be a close, appreciative team, or recognition traded to game a reward scheme; "
            "either way it weakens what recognition means to everyone else.",
            "Look at the context before concluding anything; if recognition feeds rewards, "
            "review the rules (caps, reasons required) rather than blaming people.",
            "An operational definition (possible collusion); no published source claimed.",
        ),
        Explanation(
            "silo",
            "Silos",
            "Some groups of five or more people have less than 10 % of their interactions with "
            "people outside the group. Ideas and information stop at the group's edge, and the "
            "group finds out late about what affects it.",
            "Create shared work across the boundary: joint projects, rotations, communities of "
            "practice, and open reviews.",
            "Pentland, Harvard Business Review (2012): exploration; Krackhardt & Stern, "
            "Social Psychology Quarterly 51 (1988): E-I index.",
        ),
        Explanation(
            "broker",
            "Brokers between groups",
            "Some people connect groups that would otherwise not talk to each other (high "
            "betweenness, low constraint). They are a strength: they spread ideas, but they are "
            "also a single point of failure and at risk of overload.",
            "Protect and recognize brokers, watch their workload, and build a second bridge "
            "between the groups they connect.",
            "Burt, Structural Holes (1992); Freeman (1977) betweenness.",
        ),
        Explanation(
            "narrow_pattern",
            "Narrow communication",
            "Some people interact a lot (20 events or more) but almost always with the same few "
            "partners. Their network gives them little new information and little support "
            "beyond those partners.",
            "Widen their circle with cross-team work, mentoring or communities of interest; "
            "check whether their role keeps them confined.",
            "Shannon (1948): entropy of partners, a measure of diversity.",
        ),
        Explanation(
            "negative_contagion",
            "Clusters of negative mood",
            "Connected groups of three or more people are each surrounded by negative affect "
            "(in recognitions and interactions). Mood clusters in networks; where it is "
            "negative, stress and disengagement spread and people leave.",
            "Talk with the teams concerned about workload and conflict, and act on causes. This "
            "shows where low mood clusters, not who caused it: it must never be read as blame.",
            "Fowler & Christakis, BMJ 337:a2338 (2008); caveat: Shalizi & Thomas, Sociological "
            "Methods & Research 40 (2011).",
        ),
    )
}


def explanation_of(pattern: str) -> Explanation:
    """The explanation of a pattern; an unknown pattern gets a neutral one, never an error."""
    return EXPLANATIONS.get(
        pattern,
        Explanation(
            pattern,
            pattern.replace("_", " ").capitalize(),
            "A pattern this report has no explanation for yet.",
            "See docs/analytics.md.",
            "docs/analytics.md",
        ),
    )


@dataclass(frozen=True)
class SingleLeaderShare:
    """The org metric single_leader_share as shown: withheld when the release rule withholds the
    run's org figures, None when the run did not measure it."""

    share: float | None
    withheld: bool
    meaning: str = SINGLE_LEADER_MEANING

    @property
    def text(self) -> str:
        if self.share is None:
            return ""
        return f"{self.share * 100:.0f} % of people follow a single leader"


def single_leader_share(org: dict[str, float], withheld: bool) -> SingleLeaderShare:
    """The share of one run's org metrics (overview.org_values of the run); `withheld`: the
    release rule withholds them (overview.org_withheld)."""
    if withheld:
        return SingleLeaderShare(None, withheld=True)
    return SingleLeaderShare(org.get(SINGLE_LEADER_METRIC), withheld=False)


BACKTEST_SECTION_INTRO = (
    "Did the metrics mined before a date forecast what happened after it, in this organization's "
    "own history? Each outcome's latest backtest, scored against chance and against an HR-only "
    "baseline (tenure, team size, manager span), with 95 % intervals (docs/outcomes.md)."
)
NO_BACKTEST_YET = (
    "No backtest has been run yet: an HR admin can start one in the portal (What predicts what "
    "here) or with `python manage.py backtest`."
)
