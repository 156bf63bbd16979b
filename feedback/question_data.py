"""The question sets shipped with the service (installed by a data migration; a quality admin edits
them in the admin afterwards, which makes new versions). Plain words, each set short.

Each question: (code, kind, measure, text, hint). Measures feed the headline figures.
"""

CHILD = {
    "name": "Questions for children (about 4 to 10)",
    "intro": "We would like to know what it was like to talk to your worker. There are 4 short questions. "
    "You can skip any of them.",
    "one_question_per_page": True,
    "ask_when_case_closes": True,
    "questions": [
        ("listened", "faces", "", "Did your worker listen to you?", "Pick the face that shows how you feel."),
        ("helped", "faces", "worker_helped", "Did your worker help you?", "Pick the face that shows how you feel."),
        (
            "understood",
            "faces",
            "understood_recommendation",
            "Did you understand what your worker told the judge?",
            "Pick the face that shows how you feel.",
        ),
        (
            "anything_else",
            "text",
            "comments",
            "Is there anything else you want to tell us?",
            "You can write or draw it with a grown-up. Please do not write anyone's full name.",
        ),
    ],
}

YOUNG_PERSON = {
    "name": "Questions for young people (11 and over)",
    "intro": "Tell us what it was like to work with your family court adviser. It takes about 3 minutes "
    "and you can skip any question.",
    "one_question_per_page": True,
    "ask_when_case_closes": True,
    "questions": [
        (
            "helpfulness",
            "scale_0_10",
            "helpfulness",
            "How helpful was your family court adviser?",
            "0 means not at all helpful, 10 means very helpful.",
        ),
        ("listened", "yes_no", "", "Did your family court adviser listen to what you wanted to say?", ""),
        ("helped", "yes_no", "worker_helped", "Did your family court adviser help you?", ""),
        (
            "understood",
            "yes_no",
            "understood_recommendation",
            "Did you understand what your family court adviser recommended to the court, and why?",
            "",
        ),
        ("views_in_report", "yes_no", "", "Do you think your views were put across to the court?", ""),
        (
            "do_better",
            "text",
            "comments",
            "What could we do better?",
            "Please do not write anyone's full name.",
        ),
    ],
}

PARENT_CARER = {
    "name": "Questions for parents and carers",
    "intro": "Tell us about working with your family court adviser. It takes about 3 minutes and you can "
    "skip any question. Your answers do not change anything in your case.",
    "one_question_per_page": False,
    "ask_when_case_closes": True,
    "questions": [
        (
            "helpfulness",
            "scale_0_10",
            "helpfulness",
            "How helpful was your family court adviser?",
            "0 means not at all helpful, 10 means very helpful.",
        ),
        ("respect", "yes_no", "", "Did your family court adviser treat you with respect?", ""),
        ("helped", "yes_no", "worker_helped", "Did your family court adviser help you?", ""),
        (
            "understood",
            "yes_no",
            "understood_recommendation",
            "Did you understand the recommendation made to the court?",
            "",
        ),
        ("child_focus", "yes_no", "", "Did your family court adviser keep your child's needs at the centre?", ""),
        (
            "anything_else",
            "text",
            "comments",
            "Is there anything else you want to tell us?",
            "Please do not write anyone's full name.",
        ),
    ],
}

JUDGE = {
    "name": "Questions for judges and magistrates",
    "intro": "Your view of our work in this case helps us improve the service to the court. It takes about 2 minutes.",
    "one_question_per_page": False,
    "ask_when_case_closes": True,
    "questions": [
        (
            "helpfulness",
            "scale_0_10",
            "helpfulness",
            "How helpful was our analysis and recommendation to the court?",
            "0 means not at all helpful, 10 means very helpful.",
        ),
        ("on_time", "yes_no", "", "Was our report filed on time?", ""),
        ("child_voice", "yes_no", "", "Were the child's wishes and feelings clear in the analysis?", ""),
        (
            "clear_recommendation",
            "yes_no",
            "understood_recommendation",
            "Was the recommendation clear and supported by the evidence?",
            "",
        ),
        ("assisted_court", "yes_no", "worker_helped", "Did the family court adviser assist the court well?", ""),
        ("comments", "text", "comments", "Any other comments on our work in this case?", ""),
    ],
}

PROFESSIONAL = {
    "name": "Questions for other professionals",
    "intro": "Tell us about working with our family court adviser. It takes about 2 minutes.",
    "one_question_per_page": False,
    "ask_when_case_closes": False,
    "questions": [
        (
            "helpfulness",
            "scale_0_10",
            "helpfulness",
            "How helpful was working with our family court adviser?",
            "0 means not at all helpful, 10 means very helpful.",
        ),
        ("communication", "yes_no", "", "Did they keep you informed, clearly and in good time?", ""),
        ("worked_well", "yes_no", "worker_helped", "Did they work well with you for the child?", ""),
        ("clear_recommendation", "yes_no", "understood_recommendation", "Was their recommendation clear?", ""),
        ("comments", "text", "comments", "Any other comments?", ""),
    ],
}

SHIPPED = {
    "child": CHILD,
    "young_person": YOUNG_PERSON,
    "parent_carer": PARENT_CARER,
    "judge": JUDGE,
    "professional": PROFESSIONAL,
}
