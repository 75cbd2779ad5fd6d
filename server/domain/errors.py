"""Refusals: every one names the rule that refused (`reason`, stable snake_case) beside the contract's
error `code` and a sentence for people (`message`). Pages and clients branch on `code` and `reason`,
never on the wording of `message`. The HTTP layer maps codes to status codes; nothing here knows HTTP.
"""
from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Every rule the hall refuses by (CONTRACT v2 "Errors carry a reason"), with the sentence the
    OpenAPI document gives for it (REASONS below)."""
    # -- invalid: the request itself is wrong
    BAD_JSON = "bad_json"
    INVALID_FIELD = "invalid_field"
    BAD_REQUEST = "bad_request"
    BODY_TOO_LARGE = "body_too_large"
    REQUEST_TOO_LARGE = "request_too_large"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    INVALID_IDEMPOTENCY_KEY = "invalid_idempotency_key"
    INVALID_WINDOW_NUMBER = "invalid_window_number"
    INVALID_FLOOR = "invalid_floor"
    CONTROL_CHARACTERS = "control_characters"
    INVALID_NAME = "invalid_name"
    INVALID_PATH_PARAMETER = "invalid_path_parameter"
    INVALID_SUBSCRIPTION = "invalid_subscription"
    INVALID_PRIORITY = "invalid_priority"
    INVALID_STATE = "invalid_state"
    INVALID_STATUS_FILTER = "invalid_status_filter"
    UNKNOWN_QUEUE = "unknown_queue"
    QUEUE_ON_OTHER_FLOOR = "queue_on_other_floor"
    UNKNOWN_DEPARTMENT = "unknown_department"
    INVALID_ROLE = "invalid_role"
    DEPARTMENT_REQUIRED = "department_required"
    PASSWORD_TOO_SHORT = "password_too_short"
    PASSWORD_UNCHANGED = "password_unchanged"
    INVALID_USERNAME = "invalid_username"
    INVALID_DISPLAY_NAME = "invalid_display_name"
    INVALID_DEVICE_KIND = "invalid_device_kind"
    INVALID_DEVICE_NAME = "invalid_device_name"
    INVALID_ADDRESS = "invalid_address"
    INVALID_RATING_LEVEL = "invalid_rating_level"
    APPLICANT_NAME_REQUIRED = "applicant_name_required"
    INVALID_PHONE = "invalid_phone"
    INVALID_RESULT = "invalid_result"
    REJECTION_NEEDS_NOTE = "rejection_needs_note"
    MATERIALS_REQUIRED = "materials_required"
    INVALID_HAND_OVER = "invalid_hand_over"
    TRACKING_NUMBER_REQUIRED = "tracking_number_required"
    INVALID_TRACKING_NUMBER = "invalid_tracking_number"
    CASE_NUMBER_REQUIRED = "case_number_required"
    NO_DEPARTMENTS = "no_departments"
    UNKNOWN_PAUSE_REASON = "unknown_pause_reason"
    INVALID_DATE_RANGE = "invalid_date_range"
    INVALID_GROUPING = "invalid_grouping"
    INVALID_FORMAT = "invalid_format"
    INVALID_CHANNEL = "invalid_channel"
    RATING_TARGET_REQUIRED = "rating_target_required"
    INVALID_FOLLOW_UP_ACTION = "invalid_follow_up_action"
    NOTE_REQUIRED = "note_required"
    INVALID_ID_NUMBER = "invalid_id_number"
    INVALID_DATE = "invalid_date"
    NO_SUCH_SLOT = "no_such_slot"
    # -- unauthorized: who is asking is unknown
    TOKEN_MISSING = "token_missing"
    TOKEN_INVALID = "token_invalid"
    BAD_AUTHORIZATION_HEADER = "bad_authorization_header"
    WRONG_CREDENTIALS = "wrong_credentials"
    NOT_AT_A_WINDOW = "not_at_a_window"
    # -- forbidden: known, but not allowed
    ROLE_NOT_ALLOWED = "role_not_allowed"
    DEVICE_CANNOT_ISSUE = "device_cannot_issue"
    WINDOW_OF_OTHER_DEPARTMENT = "window_of_other_department"
    WINDOW_OF_OTHER_CLERK = "window_of_other_clerk"
    NOT_SIGNED_IN_HERE = "not_signed_in_here"
    CASE_OF_OTHER_DEPARTMENT = "case_of_other_department"
    CASE_OF_OTHER_WINDOW = "case_of_other_window"
    MATTER_OF_OTHER_DEPARTMENT = "matter_of_other_department"
    MATTER_NOT_ACCEPTED_HERE = "matter_not_accepted_here"
    APPOINTMENT_OF_OTHER_BOOKER = "appointment_of_other_booker"
    WRONG_PASSWORD = "wrong_password"
    # -- not_found
    NO_SUCH_ROUTE = "no_such_route"
    UNKNOWN_USER = "unknown_user"
    UNKNOWN_DEVICE = "unknown_device"
    NO_SUCH_WINDOW = "no_such_window"
    NO_SUCH_FLOOR = "no_such_floor"
    NO_SUCH_QUEUE = "no_such_queue"
    NO_SUCH_MATTER = "no_such_matter"
    NO_SUCH_TICKET = "no_such_ticket"
    NO_SUCH_CASE = "no_such_case"
    PICKUP_NOT_AVAILABLE = "pickup_not_available"
    TICKET_WITHOUT_CASE = "ticket_without_case"
    NO_PRINTER = "no_printer"
    PRINTER_DOWN = "printer_down"  # conflict: the printer is offline, out of paper or in error
    NO_SUCH_ALERT = "no_such_alert"
    NO_SUCH_FOLLOW_UP = "no_such_follow_up"
    NO_SUCH_APPOINTMENT = "no_such_appointment"
    NO_APPOINTMENT_FOR_ID = "no_appointment_for_id"
    # -- conflict: the state of the hall says no
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    OWN_ACCOUNT = "own_account"
    TICKET_NOT_WAITING = "ticket_not_waiting"
    TICKET_NOT_CALLED = "ticket_not_called"
    RECALL_LIMIT = "recall_limit"
    SAME_QUEUE = "same_queue"
    WINDOW_TAKEN = "window_taken"
    WINDOW_STILL_SERVING = "window_still_serving"
    SERVING_AT_OTHER_WINDOW = "serving_at_other_window"
    WINDOW_PAUSED = "window_paused"
    WINDOW_CLOSED = "window_closed"
    WINDOW_NOT_OPEN = "window_not_open"
    WINDOW_NOT_PAUSED = "window_not_paused"
    NO_CURRENT_TICKET = "no_current_ticket"
    NO_QUEUES = "no_queues"
    QUEUE_LISTED_TWICE = "queue_listed_twice"
    WINDOW_CHANGED = "window_changed"
    TICKET_NOT_FOR_A_MATTER = "ticket_not_for_a_matter"
    CASE_NOT_IN_REVIEW = "case_not_in_review"
    ALREADY_DECIDED = "already_decided"
    CLAIMED_BY_OTHER = "claimed_by_other"
    AWAITING_MATERIALS = "awaiting_materials"
    MATERIALS_ALREADY_REQUESTED = "materials_already_requested"
    NOT_AWAITING_MATERIALS = "not_awaiting_materials"
    CASE_NOT_DECIDED = "case_not_decided"
    CASE_ALREADY_RETURNED = "case_already_returned"
    CASE_NOT_READY = "case_not_ready"
    PICKUP_TICKET_EXISTS = "pickup_ticket_exists"
    NO_PICKUP_QUEUE = "no_pickup_queue"
    PICKUP_TICKET_NOT_CALLED = "pickup_ticket_not_called"
    USER_EXISTS = "user_exists"
    DEVICE_EXISTS = "device_exists"
    ALREADY_RATED = "already_rated"
    TICKET_NOT_SERVED = "ticket_not_served"
    RATING_PERIOD_OVER = "rating_period_over"
    NOTHING_TO_RATE = "nothing_to_rate"
    FOLLOW_UP_STEP_NOT_ALLOWED = "follow_up_step_not_allowed"
    ALERT_ALREADY_ACKNOWLEDGED = "alert_already_acknowledged"
    # appointments, identity, quotas (CONTRACT v2)
    SLOT_FULL = "slot_full"
    SLOT_PASSED = "slot_passed"
    TOO_FAR_AHEAD = "too_far_ahead"
    NOT_A_WORKING_DAY = "not_a_working_day"
    MATTER_TAKES_NO_BOOKINGS = "matter_takes_no_bookings"
    ID_BANNED = "id_banned"
    ID_LIMIT = "id_limit"
    ID_DAILY_LIMIT = "id_daily_limit"
    QUOTA_REACHED = "quota_reached"
    APPOINTMENT_TOO_EARLY = "appointment_too_early"
    APPOINTMENT_MISSED = "appointment_missed"
    APPOINTMENT_CANCELLED = "appointment_cancelled"
    APPOINTMENT_CHECKED_IN = "appointment_checked_in"
    APPOINTMENT_NOT_TODAY = "appointment_not_today"
    NOT_A_NO_SHOW = "not_a_no_show"
    REQUEUE_EXPIRED = "requeue_expired"
    ALREADY_REQUEUED = "already_requeued"
    # -- queue_empty
    QUEUE_EMPTY = "queue_empty"
    # -- unavailable: try again later
    OUTSIDE_ISSUING_HOURS = "outside_issuing_hours"
    DATABASE_BUSY = "database_busy"
    DATABASE_UNREACHABLE = "database_unreachable"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    TOO_MANY_REQUESTS = "too_many_requests"
    SERVER_ERROR = "server_error"


REASONS: dict[Reason, str] = {
    Reason.BAD_JSON: "the body is not a JSON object",
    Reason.INVALID_FIELD: "a field of the body is missing, unknown or of the wrong shape",
    Reason.BAD_REQUEST: "the request could not be read",
    Reason.BODY_TOO_LARGE: "the body is larger than the server accepts",
    Reason.REQUEST_TOO_LARGE: "the request line or its headers are larger than the server accepts",
    Reason.METHOD_NOT_ALLOWED: "this method is not served on this path",
    Reason.INVALID_IDEMPOTENCY_KEY: "the Idempotency-Key header is empty, too long or not printable",
    Reason.INVALID_WINDOW_NUMBER: "the window in the path is not a window number",
    Reason.INVALID_FLOOR: "the floor is not a floor number",
    Reason.CONTROL_CHARACTERS: "a text holds a NUL byte, a control character or a line break where none belongs",
    Reason.INVALID_NAME: "a name is empty or too long, or holds control, invisible (zero-width) or "
                         "direction-changing (bidi) characters, or starts or ends with a blank",
    Reason.INVALID_PATH_PARAMETER: "a value in the path is not in the form the OpenAPI document states",
    Reason.INVALID_SUBSCRIPTION: "a Socket.IO subscribe names none or several of floor, window, ticket, case",
    Reason.INVALID_PRIORITY: "priority is neither normal nor green",
    Reason.INVALID_STATE: "a window state other than open, paused or closed",
    Reason.UNKNOWN_PAUSE_REASON: "a pause needs one of the hall's pause reasons ([supervision] pause_reasons, in GET /catalog)",
    Reason.INVALID_DATE_RANGE: "from and to must be dates YYYY-MM-DD, from not after to, at most 366 days apart",
    Reason.INVALID_GROUPING: "by is one of department, window, clerk, matter, queue, hour, day",
    Reason.INVALID_FORMAT: "format is json, csv or xlsx",
    Reason.INVALID_CHANNEL: "a rating's channel is pad, tracking or evaluator",
    Reason.RATING_TARGET_REQUIRED: "a rating names its ticket, or (from a rating pad) its window",
    Reason.INVALID_FOLLOW_UP_ACTION: "a follow-up action is contact, fix, close, appeal, uphold or remove",
    Reason.NOTE_REQUIRED: "this step needs a note saying what was done or why",
    Reason.INVALID_ID_NUMBER: "an ID number has 18 characters whose last is the GB 11643 check digit of the others, "
                              "and holds a real birth date",
    Reason.INVALID_DATE: "a date is YYYY-MM-DD",
    Reason.NO_SUCH_SLOT: "the start is not one of the matter's slots that day (GET /appointments/slots)",
    Reason.APPOINTMENT_OF_OTHER_BOOKER: "a platform cancels only the bookings it made",
    Reason.NO_SUCH_APPOINTMENT: "no booking has this id or code",
    Reason.NO_APPOINTMENT_FOR_ID: "the ID card holds no booking for today",
    Reason.SLOT_FULL: "the slot has as many bookings as the matter's appointment_quota",
    Reason.SLOT_PASSED: "the slot has begun or passed",
    Reason.TOO_FAR_AHEAD: "bookings open [appointments] days_ahead working days ahead, today included (error detail: last)",
    Reason.NOT_A_WORKING_DAY: "the hall takes no bookings for a weekend or holiday",
    Reason.MATTER_TAKES_NO_BOOKINGS: "the matter has no appointment_quota",
    Reason.ID_BANNED: "the ID missed too many bookings (爽约) and may not book until the ban ends (error detail: until)",
    Reason.ID_LIMIT: "the ID holds as many bookings for that day (or week) as the hall allows",
    Reason.ID_DAILY_LIMIT: "the ID has as many tickets today as [hall] tickets_per_id_per_day allows",
    Reason.QUOTA_REACHED: "the queue has issued its daily_quota of tickets today (今日号源已满)",
    Reason.APPOINTMENT_TOO_EARLY: "check-in opens [appointments] early_minutes before the slot (error detail: from)",
    Reason.APPOINTMENT_MISSED: "check-in closed late_minutes after the slot began; the booking is missed (爽约)",
    Reason.APPOINTMENT_CANCELLED: "the booking was cancelled",
    Reason.APPOINTMENT_CHECKED_IN: "the booking is checked in already (error detail: ticket number)",
    Reason.APPOINTMENT_NOT_TODAY: "the booking is for another day (error detail: date)",
    Reason.NOT_A_NO_SHOW: "only a ticket marked as a no-show (过号) can be re-queued",
    Reason.REQUEUE_EXPIRED: "the no-show was longer ago than [hall] requeue_minutes",
    Reason.ALREADY_REQUEUED: "a ticket is re-queued (过号顺延) once",
    Reason.NO_SUCH_ALERT: "no alert has this id",
    Reason.NO_SUCH_FOLLOW_UP: "no follow-up has this id",
    Reason.ALREADY_RATED: "the ticket has been rated already; the first rating counts (一次一评)",
    Reason.TICKET_NOT_SERVED: "the ticket has not been served yet (or was not served: a no-show, cancelled)",
    Reason.RATING_PERIOD_OVER: "the ticket ended longer ago than the hall's rating period ([rating] days)",
    Reason.NOTHING_TO_RATE: "the window serves no ticket now and has served none today",
    Reason.FOLLOW_UP_STEP_NOT_ALLOWED: "the follow-up's state does not allow this step now",
    Reason.ALERT_ALREADY_ACKNOWLEDGED: "the alert has been acknowledged already",
    Reason.INVALID_STATUS_FILTER: "the status filter is not one of the statuses of what is listed (a case, a follow-up)",
    Reason.UNKNOWN_QUEUE: "a queue code the hall does not have",
    Reason.QUEUE_ON_OTHER_FLOOR: "a window serves only queues of its own floor",
    Reason.UNKNOWN_DEPARTMENT: "a department code the hall does not have",
    Reason.INVALID_ROLE: "a staff role other than clerk, backoffice, admin or supervisor",
    Reason.DEPARTMENT_REQUIRED: "a back-office account needs its department",
    Reason.PASSWORD_TOO_SHORT: "the password is shorter than the hall allows",
    Reason.PASSWORD_UNCHANGED: "a changed password must differ from the current one",
    Reason.INVALID_USERNAME: "a username is a name: 1 to 64 characters, no control, invisible or "
                             "direction-changing characters, no blanks at either end",
    Reason.INVALID_DISPLAY_NAME: "a display name (what screens show of a clerk) must have 1 to 40 printable characters",
    Reason.INVALID_DEVICE_KIND: "a device kind the hall does not know",
    Reason.INVALID_DEVICE_NAME: "a device name is a name: 1 to 64 characters, no control, invisible or "
                                "direction-changing characters, no blanks at either end",
    Reason.INVALID_ADDRESS: "not an IPv4 or IPv6 address",
    Reason.UNKNOWN_USER: "there is no staff account of that name",
    Reason.UNKNOWN_DEVICE: "there is no paired device (kiosk, screen, pad, platform) of that name",
    Reason.WRONG_PASSWORD: "the current password given to change it is wrong",
    Reason.OWN_ACCOUNT: "an admin may not disable or remove the account it is signed in with",
    Reason.INVALID_RATING_LEVEL: "a rating is a level from 1 to 5",
    Reason.APPLICANT_NAME_REQUIRED: "routing a case needs the applicant's name",
    Reason.INVALID_PHONE: "a phone is neither a mainland mobile (1[3-9] and 9 digits) nor a landline with its "
                          "area code (0XX-XXXXXXXX)",
    Reason.INVALID_RESULT: "a decision is approved or rejected",
    Reason.REJECTION_NEEDS_NOTE: "a rejection must say why",
    Reason.MATERIALS_REQUIRED: "name at least one material",
    Reason.INVALID_HAND_OVER: "a result is handed over by pickup or mail",
    Reason.TRACKING_NUMBER_REQUIRED: "a mailed result needs its tracking number",
    Reason.INVALID_TRACKING_NUMBER: "a tracking number is 8 to 30 letters and digits, at least 6 of them digits",
    Reason.CASE_NUMBER_REQUIRED: "name the case, or call its pickup ticket first",
    Reason.NO_DEPARTMENTS: "a case needs at least one department",
    Reason.TOKEN_MISSING: "no token was sent",
    Reason.TOKEN_INVALID: "the token is unknown, expired or revoked",
    Reason.BAD_AUTHORIZATION_HEADER: "the Authorization header is not 'Bearer TOKEN'",
    Reason.WRONG_CREDENTIALS: "the username or password is wrong",
    Reason.NOT_AT_A_WINDOW: "the clerk is signed in at no window",
    Reason.ROLE_NOT_ALLOWED: "this role (or device kind) may not do this",
    Reason.DEVICE_CANNOT_ISSUE: "only kiosks among devices issue tickets",
    Reason.WINDOW_OF_OTHER_DEPARTMENT: "a clerk signs in only at the windows of their departments "
                                       "(a clerk without one: hall-staffed windows)",
    Reason.WINDOW_OF_OTHER_CLERK: "another clerk is signed in at this window",
    Reason.NOT_SIGNED_IN_HERE: "sign in at this window before operating it",
    Reason.CASE_OF_OTHER_DEPARTMENT: "the case does not involve your department",
    Reason.CASE_OF_OTHER_WINDOW: "only the window that accepted the case, its department's windows (or, for a "
                                 "hall-staffed window, the hall-staffed windows of its floor) and the window "
                                 "serving its pickup ticket act on it (error detail: window)",
    Reason.MATTER_OF_OTHER_DEPARTMENT: "a professional window routes only its own department's matters",
    Reason.MATTER_NOT_ACCEPTED_HERE: "this window's queues do not take this matter",
    Reason.NO_SUCH_ROUTE: "no such path in the API",
    Reason.NO_SUCH_WINDOW: "no such window",
    Reason.NO_SUCH_FLOOR: "no such floor",
    Reason.NO_SUCH_QUEUE: "no such queue",
    Reason.NO_SUCH_MATTER: "no such matter in the catalogue",
    Reason.NO_SUCH_TICKET: "no such ticket",
    Reason.NO_SUCH_CASE: "no such case",
    Reason.PICKUP_NOT_AVAILABLE: "a kiosk issues a pickup ticket only for a case ready for pickup, with its "
                                 "receipt's pickup code or the applicant's ID card; an unknown case, a case not "
                                 "ready, a wrong or missing code and a case locked after 5 wrong codes all get "
                                 "this one answer",
    Reason.TICKET_WITHOUT_CASE: "the ticket has no case",
    Reason.NO_PRINTER: "no printer fits the reprint",
    Reason.PRINTER_DOWN: "the printer is offline, out of paper or in error (error detail: printer, state)",
    Reason.IDEMPOTENCY_KEY_REUSED: "the Idempotency-Key was used for another request",
    Reason.TICKET_NOT_WAITING: "the ticket is not waiting",
    Reason.TICKET_NOT_CALLED: "the ticket is not being served",
    Reason.RECALL_LIMIT: "the ticket was recalled as often as the hall allows; mark it a no-show",
    Reason.SAME_QUEUE: "the ticket already waits in that queue",
    Reason.WINDOW_TAKEN: "another clerk is signed in at the window",
    Reason.WINDOW_STILL_SERVING: "the window still serves a ticket",
    Reason.SERVING_AT_OTHER_WINDOW: "the clerk still serves a ticket at their other window "
                                    "(error detail: window)",
    Reason.WINDOW_PAUSED: "the window is paused",
    Reason.WINDOW_CLOSED: "the window is closed",
    Reason.WINDOW_NOT_OPEN: "only an open window can pause",
    Reason.WINDOW_NOT_PAUSED: "the window is not paused",
    Reason.NO_CURRENT_TICKET: "the window serves no ticket now",
    Reason.NO_QUEUES: "a window serves at least one queue",
    Reason.QUEUE_LISTED_TWICE: "a queue is listed twice",
    Reason.WINDOW_CHANGED: "the window changed meanwhile",
    Reason.TICKET_NOT_FOR_A_MATTER: "the ticket is for no matter (a pickup ticket)",
    Reason.CASE_NOT_IN_REVIEW: "the case is no longer in review",
    Reason.ALREADY_DECIDED: "your department already decided the case",
    Reason.CLAIMED_BY_OTHER: "another member of your department claimed the case",
    Reason.AWAITING_MATERIALS: "the case waits for materials (补正)",
    Reason.MATERIALS_ALREADY_REQUESTED: "your department already asked for materials",
    Reason.NOT_AWAITING_MATERIALS: "the case waits for no materials",
    Reason.CASE_NOT_DECIDED: "not every department has decided the case",
    Reason.CASE_ALREADY_RETURNED: "the case's result was already returned",
    Reason.CASE_NOT_READY: "the case is not ready for pickup",
    Reason.PICKUP_TICKET_EXISTS: "the case already has a pickup ticket (error detail: number)",
    Reason.NO_PICKUP_QUEUE: "the accepting window's floor has no pickup queue",
    Reason.PICKUP_TICKET_NOT_CALLED: "call the case's pickup ticket before handing it over",
    Reason.USER_EXISTS: "a user of that name exists",
    Reason.DEVICE_EXISTS: "a device of that name exists",
    Reason.QUEUE_EMPTY: "no ticket waits in the window's queues",
    Reason.OUTSIDE_ISSUING_HOURS: "tickets are issued only in the hall's issuing hours "
                                  "(error detail: from, to)",
    Reason.DATABASE_BUSY: "the hall database is too busy; nothing was changed",
    Reason.DATABASE_UNREACHABLE: "the hall database did not answer; nothing was changed",
    Reason.TOO_MANY_ATTEMPTS: "too many failed attempts; wait (Retry-After)",
    Reason.TOO_MANY_REQUESTS: "an anonymous client (a screen's socket, a public read) asks faster than its share; slow down (docs/security.md)",
    Reason.SERVER_ERROR: "the server failed; nothing was changed",
}


class HallError(Exception):
    """A refusal. `detail` holds values a page may show (a ticket number, a window) so that it never
    has to read them out of `message`."""
    code = "invalid"

    def __init__(self, message: str, reason: Reason, **detail):
        super().__init__(message)
        self.message = message
        self.reason = Reason(reason)
        self.detail = detail


class Invalid(HallError):
    code = "invalid"


class Unauthorized(HallError):
    code = "unauthorized"


class Forbidden(HallError):
    code = "forbidden"


class NotFound(HallError):
    code = "not_found"


class Conflict(HallError):
    code = "conflict"


class QueueEmpty(HallError):
    code = "queue_empty"


class Unavailable(HallError):
    code = "unavailable"


class Throttled(Unavailable):
    """Too many attempts; `retry_after` seconds until the next one is accepted."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, Reason.TOO_MANY_ATTEMPTS)
        self.retry_after = retry_after
