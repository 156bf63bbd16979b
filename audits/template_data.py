# ruff: noqa: E501  (prose criteria read best one string per line)
"""The audit templates the service ships with, as plain data (installed by a data migration).

Written in our own words from the published quality assurance material. Codes are
stable across versions so figures can follow a criterion over time. This module holds
data only (no model imports) so that migrations may import it safely.

Each criterion: code, section, text, guidance, kind ("graded" or "yes_no"), limiting
(a limiting criterion graded Requires improvement caps the overall grade), applies_to
("both", "public" or "private": criteria for one law type are skipped for the other).
"""

STANDARD = {
    "slug": "standard",
    "name": "Standard case file audit",
    "description": (
        "The audit every family court adviser's work receives several times a year: the child's "
        "experience, the quality of analysis, management oversight and feedback."
    ),
    "criteria": [
        # --- The child ---------------------------------------------------------------
        {
            "code": "child-seen",
            "section": "The child",
            "text": "Was the child seen, and does the record say how (in person, by video, at home, at school)?",
            "guidance": "Answer yes only if the record shows both that the child was seen and the way they were seen.",
            "kind": "yes_no",
        },
        {
            "code": "diverse-needs",
            "section": "The child",
            "text": "The child's diverse and unique needs are identified and analysed, and the report explains why they matter to the recommendation.",
            "guidance": (
                "Look for identity, ethnicity, culture, faith, disability and gender identity considered for this "
                "child as an individual, not listed. This criterion is limiting: graded Requires improvement, it "
                "caps the overall grade."
            ),
            "limiting": True,
        },
        {
            "code": "wishes-feelings",
            "section": "The child",
            "text": "The child's wishes and feelings were explored with suitable direct-work materials and are set out clearly.",
            "guidance": "Good practice uses tools matched to the child's age and understanding and records what the child actually said.",
        },
        {
            "code": "recording-work-with-child",
            "section": "The child",
            "text": "Work with the child is recorded clearly: what was done, where, and what the child contributed.",
            "guidance": "A reader new to the case should be able to see the quality of the engagement from the record alone.",
        },
        {
            "code": "communication-before-after",
            "section": "The child",
            "text": "The child was told before meeting us why we were meeting, and afterwards what would happen next.",
            "guidance": "Look for letters, messages or notes of explanations given to the child before and after each meeting.",
        },
        # --- Analysis and recommendations -------------------------------------------------
        {
            "code": "analysis-recommendations",
            "section": "Analysis and recommendations",
            "text": "The analysis is grounded in evidence and the recommendations to the court are clear and follow from it.",
            "guidance": "The reasoning should be transparent: a parent or older child could follow why we recommend what we do.",
        },
        {
            "code": "domestic-abuse-impact",
            "section": "Analysis and recommendations",
            "text": "Where domestic abuse features, its impact on this child is assessed and kept distinct from harmful conflict.",
            "guidance": "Where there is no indication of domestic abuse, grade how well the record shows that it was screened for.",
        },
        {
            "code": "child-impact-framework",
            "section": "Analysis and recommendations",
            "text": "The child impact assessment framework is used to describe the harm the child has experienced or may face.",
            "guidance": "Private law only: the framework guides assessment of conflict, abuse, alienating behaviour and other harm.",
            "applies_to": "private",
        },
        {
            "code": "pre-proceedings",
            "section": "Analysis and recommendations",
            "text": "The report explains the effect and value of pre-proceedings work for this child.",
            "guidance": "Public law only: look for an account of what happened before proceedings and what it changed.",
            "applies_to": "public",
        },
        {
            "code": "proactive-delay",
            "section": "Analysis and recommendations",
            "text": "Action taken to prevent delay for the child is recorded, with its effect on the child.",
            "guidance": "Examples: chasing overdue information, raising timetabling issues with the court, escalating drift.",
        },
        # --- Oversight and records ---------------------------------------------------------
        {
            "code": "management-oversight",
            "section": "Oversight and records",
            "text": "Advice given in supervision or management oversight is recorded and was acted on.",
            "guidance": "Grade the evidence that the advice changed the work, not only that a discussion took place.",
        },
        {
            "code": "case-plan-day-10",
            "section": "Oversight and records",
            "text": "Was the case plan reviewed by a manager at day 10?",
            "guidance": "Answer yes where a manager's review of the case plan is recorded around the tenth working day.",
            "kind": "yes_no",
        },
        # --- Feedback ----------------------------------------------------------------------
        {
            "code": "child-feedback-in-report",
            "section": "Feedback",
            "text": "The child's feedback on our work and recommendations is written into the report to the court.",
            "guidance": "Look for the child's own view of the recommendation, and any learning we took from it.",
        },
        {
            "code": "family-feedback",
            "section": "Feedback",
            "text": "Was feedback obtained from the family for this audit?",
            "guidance": "Answer yes where a parent, carer or the child gave feedback that informed this audit.",
            "kind": "yes_no",
        },
    ],
}

DOMESTIC_ABUSE = {
    "slug": "domestic-abuse",
    "name": "Domestic abuse thematic audit",
    "description": (
        "A themed audit of work with children and families who have experienced domestic abuse: risk, "
        "the child's lived experience, safe recommendations and working with others."
    ),
    "criteria": [
        # --- Identifying and assessing risk -------------------------------------------------
        {
            "code": "da-identification",
            "section": "Identifying and assessing risk",
            "text": "Safeguarding enquiries and interviews identified domestic abuse, including coercive and controlling behaviour, and told the court before the first hearing.",
            "guidance": "Check the safeguarding letter and the records of interviews with each adult.",
        },
        {
            "code": "da-risk-assessment",
            "section": "Identifying and assessing risk",
            "text": "The risk assessment is clear about risks to the child and to the adult victim, with reasons for each decision.",
            "guidance": "This criterion is limiting: graded Requires improvement, it caps the overall grade.",
            "limiting": True,
        },
        {
            "code": "da-distinguish-conflict",
            "section": "Identifying and assessing risk",
            "text": "Domestic abuse is distinguished from harmful conflict, using the screening tool where it applies.",
            "guidance": "The distinction should be argued from evidence, not asserted.",
        },
        # --- The child's lived experience -----------------------------------------------------
        {
            "code": "da-child-seen",
            "section": "The child's lived experience",
            "text": "Was each child seen on their own, and is the way they were seen recorded?",
            "guidance": "",
            "kind": "yes_no",
        },
        {
            "code": "da-impact-each-child",
            "section": "The child's lived experience",
            "text": "The impact of living with abuse is analysed for each child as an individual, not for the brothers and sisters as a group.",
            "guidance": "Look for trauma-informed explanations of each child's behaviour and needs.",
        },
        {
            "code": "da-identity",
            "section": "The child's lived experience",
            "text": "Faith, culture, background, gender identity and disability are considered for how they shape the experience of abuse, without assumptions.",
            "guidance": "This criterion is limiting: graded Requires improvement, it caps the overall grade.",
            "limiting": True,
        },
        {
            "code": "da-child-voice",
            "section": "The child's lived experience",
            "text": "The child's voice and experience reach the court, in their own words where possible.",
            "guidance": "",
        },
        # --- Recommendations and safety --------------------------------------------------------
        {
            "code": "da-recommendation-rationale",
            "section": "Recommendations and safety",
            "text": "The recommendation puts the child's safety first and explains how and why it was reached.",
            "guidance": "Look for the welfare checklist and the longer-term outcomes for the child in the reasoning.",
        },
        {
            "code": "da-time-with-parent-oversight",
            "section": "Recommendations and safety",
            "text": "Any recommendation that a child spends time with a parent after abuse had targeted management oversight, with the reasons recorded.",
            "guidance": "Where no such recommendation was made, grade how clearly the record shows it was considered.",
            "applies_to": "private",
        },
        {
            "code": "da-unsafe-orders",
            "section": "Recommendations and safety",
            "text": "Where an order looked unsafe for the child, we challenged it or wrote to the court.",
            "guidance": "",
        },
        {
            "code": "da-explained-to-child",
            "section": "Recommendations and safety",
            "text": "The child was helped to understand our recommendation, the court's decision and what happens next.",
            "guidance": "",
        },
        # --- Working with others ------------------------------------------------------------------
        {
            "code": "da-other-agencies",
            "section": "Working with others",
            "text": "Agencies who know the child and family were consulted, and the family signposted to specialist support.",
            "guidance": "For example police, school, health visitor, an independent domestic violence adviser.",
        },
        {
            "code": "da-perpetrator-programme",
            "section": "Working with others",
            "text": "Was a referral to a perpetrator programme considered where it was appropriate?",
            "guidance": "",
            "kind": "yes_no",
        },
        {
            "code": "da-family-feedback",
            "section": "Working with others",
            "text": "Was feedback obtained from the family for this audit?",
            "guidance": "",
            "kind": "yes_no",
        },
    ],
}

TEMPLATES = [STANDARD, DOMESTIC_ABUSE]


def criteria_rows(template: dict) -> list[dict]:
    """The criteria of one shipped template with every field filled in, ordered 1, 2, 3…"""
    rows = []
    for order, item in enumerate(template["criteria"], start=1):
        rows.append(
            {
                "code": item["code"],
                "section": item["section"],
                "order": order,
                "text": item["text"],
                "guidance": item.get("guidance", ""),
                "kind": item.get("kind", "graded"),
                "limiting": item.get("limiting", False),
                "applies_to": item.get("applies_to", "both"),
            }
        )
    return rows
