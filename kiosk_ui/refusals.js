// The kiosk's sentences for refusals of POST /tickets (a matter, a booking's check-in by code or by
// ID card, a pickup) and of POST /tickets/requeue (过号顺延), chosen by errors.js describe() from
// the refusal's reason. `t` is the page's translation; `hall` the catalogue's hall (requeue_minutes).
export function visitSentences(t, hall = {}) {
  return {
    reasons: {
      invalid_id_number: t("invalidIdNumber"),
      id_daily_limit: t("idDailyLimit"),
      id_banned: t("idBanned"),
      quota_reached: t("quotaFullSentence"),
      invalid_phone: t("invalidPhone"),
      appointment_too_early: (d) => (d.from ? t("tooEarly", { from: d.from }) : t("tooEarlyAny")),
      appointment_missed: t("appointmentMissed"),
      appointment_cancelled: t("appointmentCancelled"),
      appointment_checked_in: t("appointmentCheckedIn"),
      no_such_appointment: t("noSuchAppointment"),
      appointment_not_today: (d) => (d.date ? t("notToday", { date: d.date }) : t("notTodayAny")),
      no_appointment_for_id: t("noAppointmentForId"),
      no_such_ticket: t("noSuchTicket"),
      not_a_no_show: t("notANoShow"),
      requeue_expired: () => (hall.requeue_minutes ? t("requeueExpiredMinutes", { n: hall.requeue_minutes }) : t("requeueExpired")),
      already_requeued: t("alreadyRequeued"),
    },
  };
}
