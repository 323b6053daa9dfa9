"""Error pages in Vietnamese, in the site's layout, for both faces (citizens often arrive from a phone)."""
from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

TITLES = {
    400: "Yêu cầu không hợp lệ", 401: "Chưa đăng nhập", 403: "Không có quyền truy cập",
    404: "Không tìm thấy trang", 405: "Thao tác không được hỗ trợ", 409: "Đã có thay đổi",
    413: "Tệp hoặc nội dung quá lớn", 422: "Không thể xử lý", 500: "Lỗi hệ thống",
}


def register_error_pages(app: Flask) -> None:
    """Render every HTTP error with ``error.html``; the description given to ``abort`` is shown as is."""
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và gửi lại."
        return _page(400, message), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        own = error.description if error.description != type(error).description else None
        return _page(error.code, own), error.code

    @app.errorhandler(500)
    def server_error(error):
        return _page(500, "Đã có lỗi xảy ra. Không có thay đổi nào được lưu; vui lòng thử lại sau."), 500


def _page(code: int, message: str | None):
    officer_side = request.path.startswith(("/officer", "/admin"))
    layout = "officer/_layout.html" if officer_side else "portal/_layout.html"
    return render_template("error.html", layout=layout, code=code, title=TITLES.get(code, "Lỗi"), message=message)
