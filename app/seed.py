"""Sample agencies, officers and citizens for the embedded default (fake people, real structure).

Agencies follow Sơn La's two-tier structure since 1 July 2025 (province → departments and communes/wards). Their
electronic identifiers are SAMPLE values in the ``H54.xx.yy`` shape until the official catalogue is loaded (R15).
Personal ID numbers have 12 digits; ``014`` is Sơn La's province code in the personal identification number.
"""
from datetime import date

from sqlalchemy import select

from .auth import hash_password
from .extensions import db
from .models import Agency, Applicant, Officer

SAMPLE_PASSWORD = "MotCua@2026"
PROVINCE = ("H54", "Ủy ban nhân dân tỉnh Sơn La", "province")
CENTRE = ("H54.01", "Trung tâm Phục vụ hành chính công tỉnh Sơn La", "department")
COMMUNES = [
    ("H54.10.01", "Phường Tô Hiệu", "tohieu"), ("H54.10.02", "Phường Chiềng An", "chiengan"),
    ("H54.10.03", "Phường Chiềng Cơi", "chiengcoi"), ("H54.10.04", "Phường Chiềng Sinh", "chiengsinh"),
    ("H54.10.05", "Phường Mộc Châu", "mocchau"), ("H54.10.06", "Xã Mai Sơn", "maison"),
]
#: (username prefix, roles) of the officers created in every sample commune.
OFFICER_KINDS = [("motcua", "one_stop"), ("chuyenvien", "specialist"), ("lanhdao", "leader")]
#: Fake officers' names, three per sample commune in COMMUNES order (one-stop, specialist, leader).
OFFICER_NAMES = [
    "Lò Thị Hoa", "Cầm Văn Thắng", "Nguyễn Văn Hùng", "Quàng Thị Mai", "Lường Văn Đức", "Trần Thị Lan",
    "Tòng Thị Hương", "Hoàng Văn Nam", "Phạm Minh Tuấn", "Lê Thị Thu", "Vì Văn Sơn", "Đặng Quốc Bảo",
    "Hà Thị Ngọc", "Mai Văn Long", "Bùi Thị Hạnh", "Lù Thị Yến", "Đinh Văn Khánh", "Vũ Thị Thanh",
]
#: Sample provincial bodies for inter-agency procedures (land-use transfer registration: the land registration office
#: leads, the tax authority sets the financial obligation, departments are consulted): (code, name, parent code,
#: username suffix, [(prefix, roles, fake name)]). The tax authority is a central body; its code is a SAMPLE too.
DEPARTMENTS = [
    ("H54.20", "Sở Nông nghiệp và Môi trường tỉnh Sơn La", "H54", "snnmt",
     [("chuyenvien", "specialist", "Sầm Văn Tài"), ("lanhdao", "leader", "Hoàng Thị Nhung")]),
    ("H54.20.01", "Văn phòng Đăng ký đất đai tỉnh Sơn La", "H54.20", "vpdkdd",
     [("motcua", "one_stop", "Lò Văn Hải"), ("chuyenvien", "specialist", "Điêu Thị Xuân"),
      ("lanhdao", "leader", "Nguyễn Đức Thịnh")]),
    ("H54.30", "Sở Xây dựng tỉnh Sơn La", "H54", "sxd",
     [("chuyenvien", "specialist", "Quàng Văn Hiếu"), ("lanhdao", "leader", "Trần Minh Châu")]),
    ("H54.90.01", "Thuế cơ sở 1 tỉnh Sơn La", "H54", "thue",
     [("chuyenvien", "specialist", "Phạm Thị Hằng"), ("lanhdao", "leader", "Lê Văn Toàn")]),
]
#: (username, name, roles) of the sample system administrator in the provincial centre (incidents: /admin/).
ADMINISTRATOR = ("quantri", "Lê Minh Quân", "system_admin")
CITIZENS = [
    ("014090001234", "Nguyễn Văn An", "1990-03-12", "0912345678", "Tổ 3, phường Tô Hiệu, tỉnh Sơn La"),
    ("014195004567", "Lò Thị Bình", "1995-07-01", "0987654321", "Bản Hài, phường Chiềng An, tỉnh Sơn La"),
    ("014088007890", "Cầm Văn Chiến", "1988-11-20", "0968112233", "Tiểu khu 2, xã Mai Sơn, tỉnh Sơn La"),
]


def seed_sample_data() -> bool:
    """Insert the sample agencies, officers and citizens unless agencies already exist; True when inserted."""
    if db.session.scalar(select(Agency.id).limit(1)) is not None:
        return False
    province = Agency(code=PROVINCE[0], name=PROVINCE[1], level=PROVINCE[2])
    centre = Agency(code=CENTRE[0], name=CENTRE[1], level=CENTRE[2], parent=province)
    db.session.add_all([province, centre])
    password_hash = hash_password(SAMPLE_PASSWORD)
    username, full_name, roles = ADMINISTRATOR
    db.session.add(Officer(username=username, full_name=full_name, agency=centre, password_hash=password_hash,
                           roles_text=roles, must_change_password=False))
    names = iter(OFFICER_NAMES)
    for code, name, slug in COMMUNES:
        commune = Agency(code=code, name=name, level="commune", parent=province)
        db.session.add(commune)
        for prefix, roles in OFFICER_KINDS:
            db.session.add(Officer(username=f"{prefix}.{slug}", full_name=next(names), agency=commune,
                                   password_hash=password_hash, roles_text=roles, must_change_password=False))
    _seed_departments(province, password_hash)
    for personal_id, full_name, birth, phone, address in CITIZENS:
        db.session.add(Applicant(personal_id=personal_id, full_name=full_name, birth_on=date.fromisoformat(birth),
                                 phone=phone, address=address))
    db.session.flush()
    return True


def _seed_departments(province: Agency, password_hash: str) -> None:
    """The sample :data:`DEPARTMENTS` and their officers (``chuyenvien.thue``, ``motcua.vpdkdd`` …)."""
    agencies = {province.code: province}
    for code, name, parent, slug, officers in DEPARTMENTS:
        agencies[code] = Agency(code=code, name=name, level="department", parent=agencies[parent])
        db.session.add(agencies[code])
        for prefix, roles, full_name in officers:
            db.session.add(Officer(username=f"{prefix}.{slug}", full_name=full_name, agency=agencies[code],
                                   password_hash=password_hash, roles_text=roles, must_change_password=False))
