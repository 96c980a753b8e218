"""The relevance set: queries in the source's vocabulary, each with what it must find in the demo.

Each case is (query, expected keys). A key names a result as `agreements.search.Hit.key`
does: `agreement:<partner>`, `clause:<partner>:<clause kind>`, `commitment:<description>`,
`partner:<name>`, `contact:<name>`, `amendment:<reference>/<number>`. Every expected key
must be found, within the first five results of its kind. To extend: add a line.
"""

from __future__ import annotations

SAIHAT = "جمعية تنمية الموارد البشرية بسيهات"
COLLEGE = "الكلية التقنية بالقطيف"
FIRDAWS = "جمعية الفردوس لإكرام الموتى"
ATAA = "جمعية العطاء النسائية بالقطيف"

CASES: list[tuple[str, list[str]]] = [
    # Training, however the word comes: with the article, a conjunction, a preposition,
    # as an adjective, a plural or a person.
    ("التدريب", [f"clause:{SAIHAT}:training", f"clause:{COLLEGE}:training", f"clause:{ATAA}:training"]),
    ("تدريب", [f"clause:{SAIHAT}:training", f"clause:{COLLEGE}:training", "commitment:تدريب مستفيدي الخيرية"]),
    ("والتدريب", [f"clause:{SAIHAT}:training", f"clause:{COLLEGE}:training", f"clause:{ATAA}:training"]),
    ("بالتدريب", [f"clause:{SAIHAT}:training", f"clause:{COLLEGE}:training", f"clause:{ATAA}:training"]),
    ("تدريبية", [f"clause:{SAIHAT}:training", f"clause:{COLLEGE}:training", f"clause:{ATAA}:training"]),
    ("التدريبية", [f"clause:{COLLEGE}:training", "commitment:ترشيح المستفيدين للبرامج التدريبية"]),
    ("متدربين", [f"clause:{SAIHAT}:training", f"clause:{COLLEGE}:training", f"clause:{ATAA}:training"]),
    ("الدورات التدريبية", [f"clause:{COLLEGE}:training"]),
    # Each clause kind, in the source's words.
    ("تبادل الخبرات", [f"clause:{SAIHAT}:expertise_exchange", f"clause:{COLLEGE}:expertise_exchange"]),
    ("الخبرات", [f"clause:{ATAA}:expertise_exchange"]),
    ("الخدمات التأهيلية", [f"clause:{SAIHAT}:training", f"agreement:{COLLEGE}"]),
    ("تأهيل", [f"clause:{ATAA}:training"]),
    ("الفرص الوظيفية", [f"clause:{SAIHAT}:jobs"]),
    ("وظيفية", ["commitment:توفير فرص وظيفية للمستفيدين"]),
    ("الفرص التطوعية", [f"clause:{COLLEGE}:volunteering", f"clause:{FIRDAWS}:volunteering"]),
    ("التطوعية", [f"clause:{COLLEGE}:volunteering", f"clause:{FIRDAWS}:volunteering"]),
    ("متطوعين", ["commitment:إشراك متطوعين في برامج الجمعية"]),
    ("الملتقيات الوظيفية", [f"clause:{SAIHAT}:job_fairs"]),
    ("ملتقى", [f"clause:{SAIHAT}:job_fairs"]),
    ("تمكين المواطنين", [f"clause:{SAIHAT}:employment_support"]),
    ("وتهيئتهم لسوق العمل", [f"clause:{SAIHAT}:employment_support"]),
    ("المنافع المجتمعية", [f"clause:{FIRDAWS}:community_benefits", f"clause:{ATAA}:community_benefits"]),
    ("الخدمات المشتركة", [f"clause:{FIRDAWS}:community_benefits", f"clause:{ATAA}:community_benefits"]),
    ("العلاقات العامة", [f"clause:{COLLEGE}:media", f"clause:{FIRDAWS}:media"]),
    ("الإعلام", [f"clause:{COLLEGE}:media", f"clause:{FIRDAWS}:media"]),
    ("اعلام", [f"clause:{COLLEGE}:media", f"clause:{FIRDAWS}:media"]),
    ("البرامج التوعوية", [f"clause:{COLLEGE}:awareness", f"clause:{ATAA}:awareness"]),
    ("الندوات", [f"clause:{COLLEGE}:awareness", f"clause:{ATAA}:awareness"]),
    ("ندوة", [f"clause:{FIRDAWS}:awareness"]),
    ("ورش العمل", [f"clause:{COLLEGE}:awareness", f"clause:{ATAA}:awareness"]),
    ("الورش", [f"clause:{COLLEGE}:awareness", f"clause:{ATAA}:awareness", "commitment:تنظيم ورش عمل توعوية"]),
    ("ورشة", [f"clause:{COLLEGE}:awareness", f"clause:{ATAA}:awareness"]),
    # Partners, with and without «جمعية» and the article, and with prefixes.
    ("جمعية الفردوس", [f"partner:{FIRDAWS}"]),
    ("الفردوس", [f"partner:{FIRDAWS}"]),
    ("فردوس", [f"partner:{FIRDAWS}"]),
    ("العطاء النسائية", [f"partner:{ATAA}"]),
    ("عطاء", [f"partner:{ATAA}"]),
    ("الكلية التقنية", [f"partner:{COLLEGE}"]),
    ("سيهات", [f"partner:{SAIHAT}"]),
    ("بسيهات", [f"partner:{SAIHAT}"]),
    ("الموارد البشرية", [f"partner:{SAIHAT}", f"agreement:{SAIHAT}"]),
    ("القطيف", [f"partner:{COLLEGE}", f"partner:{ATAA}"]),
    ("بالقطيف", [f"partner:{COLLEGE}", f"partner:{ATAA}"]),
    ("اكرام الموتى", [f"partner:{FIRDAWS}"]),
    # Contacts.
    ("عميد الكلية", ["contact:عميد الكلية التقنية بالقطيف"]),
    ("ممثل جمعية الفردوس", ["contact:ممثل جمعية الفردوس"]),
    # Misspellings and variants (the fallback, or the folding).
    ("تدرب", [f"clause:{SAIHAT}:training", f"clause:{COLLEGE}:training"]),
    ("الفردوص", [f"partner:{FIRDAWS}"]),
    ("المسئولية المجتمعية", [f"clause:{COLLEGE}:awareness"]),
    # English.
    ("training", [f"clause:{SAIHAT}:training", f"clause:{COLLEGE}:training"]),
    ("workshops", [f"clause:{COLLEGE}:awareness"]),
    ("volunteering opportunities", [f"agreement:{COLLEGE}", f"clause:{COLLEGE}:volunteering"]),
    ("job fairs", [f"clause:{SAIHAT}:job_fairs"]),
    ("Firdaws", [f"partner:{FIRDAWS}"]),
    ("labour market", [f"agreement:{SAIHAT}", f"clause:{SAIHAT}:employment_support"]),
    # Amendments.
    ("ورش عمل مشتركة", ["amendment:{saihat_reference}/1"]),
]
