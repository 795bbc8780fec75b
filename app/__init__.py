"""Tsudoi (集い): event and seminar registration."""
from __future__ import annotations

import logging

from flask import Flask, g, request

from app.database import configure_engine, reset_read_only, set_read_only
from app.extensions import babel, csrf, db, limiter, login_manager, mail, migrate
from config import BASE_DIR, INSTANCE_DIR, Config, check_config, config_from_env

READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=False,
    )
    config_class = config if isinstance(config, type) else config_from_env()
    app.config.from_object(config_class)
    if isinstance(config, dict):
        app.config.update(config)
    # On the final settings, whichever way the app is built (gunicorn, `flask` commands, tests).
    config_warnings = check_config(app.config)
    from app import identity

    identity.init_app(app)  # ORG_*: the bureau's name, logo, colours, contact (unknown or bad ones refuse to start)

    if app.config["TRUSTED_PROXIES"] > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    INSTANCE_DIR.mkdir(exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from app import logs

    logs.init_app(app)
    for message in config_warnings:
        app.logger.warning("%s", message)

    from app.database import ping_after_idle

    ping_idle = ping_after_idle(app.config["SQLALCHEMY_DATABASE_URI"], app.config.get("DATABASE_PRE_PING", "auto"),
                                app.config.get("DATABASE_PING_IDLE_SECONDS", 1.0))
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine, ping_idle)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    from app.services import participation

    participation.track(db.session)  # the statistics' summary tables follow every change
    mail.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"

    from app import confirmations, i18n

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: "Asia/Tokyo")
    i18n.init_app(app)
    confirmations.init_app(app)  # data-confirm questions, asked again on a page without JavaScript

    @app.before_request
    def _mark_read_only():
        # SQLite: GET/HEAD requests begin deferred transactions (readers in parallel);
        # everything else begins IMMEDIATE (see app.database).
        g._ro_token = set_read_only(request.method in READ_ONLY_METHODS)
        # Flask-Babel keeps the locale on `g`; a request that shares an app context (tests) chooses afresh.
        g.pop("_flask_babel", None)

    @app.teardown_request
    def _reset_read_only(exc=None):
        token = g.pop("_ro_token", None)
        if token is not None:
            reset_read_only(token)

    from app import web_guards

    web_guards.init_app(app)  # URL converters, query checks, security headers

    from app import models  # noqa: F401  (register the models with SQLAlchemy)
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.door import bp as door_bp
    from app.join import bp as join_bp
    from app.organizer import bp as organizer_bp
    from app.public import bp as public_bp
    from app.registration import bp as registration_bp
    from app.stats import bp as stats_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(organizer_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(join_bp)
    app.register_blueprint(door_bp)

    from app import cli, errors

    errors.init_app(app)
    cli.init_app(app)

    return app
