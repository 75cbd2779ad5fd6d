// The kiosk's own socket (/kiosk, with its device token): whether an ID card reader is attached to
// this kiosk (`kiosk` {"reader"}), and each card placed on it (`id_card` {"number", "name", "birth",
// "sex"}: the full number reaches this kiosk only, and the page sends it back with its ticket).
import { connectLive } from "/ui/common/live.js";

export function followReader(token, { onReader, onCard }) {
  return connectLive("/kiosk", {
    auth: { token },
    on: {
      kiosk: (data) => onReader(Boolean(data && data.reader)),
      id_card: (card) => { if (card && card.number && card.name) onCard(card); },
    },
    onStatus: (status) => { if (status !== "up") onReader(false); },  // no link, no 刷身份证
  });
}
