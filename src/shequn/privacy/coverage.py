"""Which tenant-scoped models hold personal data of contacts, and which provider covers them.

Every tenant-scoped model is either covered by a provider (`registry.covered_models()`) or listed
below with the reason it holds no personal data of a contact. A model on neither list fails the
privacy coverage test: a new app must decide, not forget.
"""

from __future__ import annotations

from django.apps import apps

from shequn.privacy.registry import covered_models
from shequn.tenancy.models import TenantScopedModel

NO_PERSONAL_DATA: dict[str, str] = {
    "accounts.invitation": "staff e-mail addresses, not contacts",
    "accounts.apitoken": "staff credentials",
    "channels.officialaccount": "the brand's own accounts",
    "channels.wecomcorp": "the brand's own corporation",
    "channels.paymerchant": "the brand's merchant",
    "channels.storedtoken": "access tokens of the brand's accounts",
    "ingest.outboundjobresult": "counts of mass sends",
    "contacts.tag": "workspace tag names",
    "contacts.tagmirror": "tag ids on the channels",
    "contacts.attributedefinition": "field definitions",
    "contacts.autotagrule": "rules written by operators",
    "contacts.customergroup": "group names and ids (members are covered)",
    "inbox.autoreplyrule": "rules written by operators",
    "inbox.rulesetversion": "a counter",
    "inbox.cannedreply": "texts written by operators",
    "inbox.menu": "menus written by operators",
    "privacy.erasedcontact": "anonymous counts left by erasure",
    "segments.segment": "rule definitions written by operators",
    "rewards.rewardcampaign": "campaign settings written by operators",
    "personas.persona": "the brand's persona characters",
    "personas.staffaccount": "the brand's WeCom staff, not contacts",
    "community.grouppool": "pool settings written by operators",
    "community.poolgroup": "which group belongs to which pool",
    "community.joinway": "the brand's join ways and their group ids",
    "community.questionnaire": "questions written by operators (answers are contact attributes)",
    "livecodes.campaign": "campaign settings written by operators",
    "livecodes.insertbatch": "shipment lots",
    "livecodes.livecode": "the brand's contact ways and anonymous scan and add counts",
}


def tenant_models() -> list[str]:
    return sorted(
        m._meta.label_lower for m in apps.get_models() if issubclass(m, TenantScopedModel)
    )


def uncovered_models() -> list[str]:
    covered = covered_models() | set(NO_PERSONAL_DATA)
    return [label for label in tenant_models() if label not in covered]
