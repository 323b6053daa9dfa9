"""Run the embedded default: set up the SQLite database, deploy processes/, load sample data, serve.

    python run.py            # http://127.0.0.1:5000  (HOST / PORT environment variables change it)
"""
import os

from app import create_app
from app.cli import setup_command
from app.scheduler import init_scheduler
from app.seed import SAMPLE_PASSWORD
from config import DevelopmentConfig

app = create_app(DevelopmentConfig)

if __name__ == "__main__":
    os.makedirs(os.path.join(os.path.dirname(__file__), "instance"), exist_ok=True)
    with app.app_context():
        result = app.test_cli_runner().invoke(setup_command)
    print(result.output, end="")
    if result.exit_code != 0:
        raise SystemExit(result.exit_code)
    if os.environ.get("SCHEDULER_ENABLED", "1") == "1" and "scheduler" not in app.extensions:
        init_scheduler(app)  # after setup; it fires while it holds the lease (a `flask scheduler run` may hold it)
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "5000"))
    print(f"""
Một cửa Sơn La đang chạy: http://{host}:{port}/
  Cổng dịch vụ công (công dân): http://{host}:{port}/  → Đăng nhập → VNeID (mô phỏng) → chọn công dân mẫu
  Một cửa điện tử (cán bộ):      http://{host}:{port}/officer/
    motcua.tohieu / chuyenvien.tohieu / lanhdao.tohieu   (Phường Tô Hiệu)
    motcua.chiengan / chuyenvien.chiengan / lanhdao.chiengan (Phường Chiềng An)
  Quản trị (sự cố, thủ tục và phiên bản): http://{host}:{port}/admin/   quantri
    mật khẩu mẫu: {SAMPLE_PASSWORD}
""", flush=True)
    app.run(host=host, port=port, debug=False, use_reloader=False)
