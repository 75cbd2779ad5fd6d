// Names, ID numbers and phones masked as on every public screen.


// ------------------------------------------------------------------ masked as on every public screen
export function maskName(name) {
  if (name.length <= 1) return "*";
  return name.length === 2 ? `${name[0]}*` : `${name[0]}${"*".repeat(name.length - 2)}${name[name.length - 1]}`;
}

export function maskNumber(number) {
  return number.length > 7 ? `${number.slice(0, 3)}${"*".repeat(number.length - 7)}${number.slice(-4)}` : "*".repeat(number.length);
}

export function maskPhone(phone) {
  return phone.length >= 11 ? `${phone.slice(0, 3)}${"*".repeat(phone.length - 7)}${phone.slice(-4)}` : phone;
}
