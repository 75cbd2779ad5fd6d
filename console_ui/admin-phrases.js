// The admin board's sentences, Chinese and English (admin.js; its panels bring their own).
import { ACCOUNT_PHRASES } from "/ui/console/accounts.js";
import { ADVICE_PHRASES } from "/ui/console/advice.js";
import { BOOKING_PHRASES } from "/ui/console/bookings.js";
import { DEVICE_PHRASES } from "/ui/console/devices.js";
import { SIGNIN_PHRASES } from "/ui/console/signin.js";
import { SUPERVISION_PHRASES } from "/ui/console/supervision.js";
import { STALE_PHRASES } from "/ui/console/stale-tab.js";
import { FILTER_PHRASES } from "/ui/console/admin-filters.js";

export const ADMIN_PHRASES = {
  zh: {
    ...SIGNIN_PHRASES.zh, ...STALE_PHRASES.zh, ...FILTER_PHRASES.zh,
    ...DEVICE_PHRASES.zh,
    ...SUPERVISION_PHRASES.zh, ...BOOKING_PHRASES.zh, ...ADVICE_PHRASES.zh, ...ACCOUNT_PHRASES.zh,
    title: "大厅管理", signinTitle: "大厅管理 · 电子监察登录", windows: "窗口", window: "窗口", department: "部门", state: "状态",
    clerk: "工作人员", current: "当前号", served: "今日办结", queues: "服务队列（按顺序）", nextFrom: "下次叫号来自",
    actions: "操作", open: "开放", pause: "暂停", close: "关闭", editQueues: "调整队列", queueBoard: "排队情况",
    queue: "队列", waiting: "等候", longest: "最长等候", eta: "预计等候", servedBy: "服务窗口", minutes: "{n} 分钟",
    nobody: "无人等候", fromQueue: "{queue}（{n}人等候）", addQueue: "添加队列", add: "添加", save: "保存", cancel: "取消",
    up: "上移", down: "下移", remove: "移除", editing: "{window}号窗口的服务队列", hallStaff: "大厅综合窗口",
    preview: "保存后，下次叫号来自：{from}", saved: "{window}号窗口现在服务：{queues}。", stateSet: "{window}号窗口已{state}。",
    reconnecting: "与服务器的连接中断，正在重新连接…", notAdmin: "大厅管理需要管理员或电子监察账号。",
    notOperator: "电子监察账号只能查看窗口，开放、暂停、关闭和调整队列由大厅管理员操作。",
    since: "{time}起（{n}分钟）", roleSupervisor: "{user} · 电子监察（只读）",
    stillServing: "{window}号窗口还有正在办理的号，办结后才能关闭。", emptyQueues: "窗口至少要服务一个队列。",
    otherFloor: "只能选择本楼层的队列。", noSuchWindow: "没有这个窗口。", listedTwice: "同一个队列只能添加一次。",
    unknownQueue: "没有这个队列，请重新选择。", windowChanged: "{window}号窗口刚刚有变化，请再试一次。", quotaReached: "{queue}（今日号源已满）",
  },
  en: {
    ...SIGNIN_PHRASES.en, ...STALE_PHRASES.en, ...FILTER_PHRASES.en,
    ...DEVICE_PHRASES.en,
    ...SUPERVISION_PHRASES.en, ...BOOKING_PHRASES.en, ...ADVICE_PHRASES.en, ...ACCOUNT_PHRASES.en,
    title: "Hall admin", signinTitle: "Hall admin / supervisor sign-in", windows: "Windows", window: "Window", department: "Department", state: "State",
    clerk: "Clerk", current: "Current", served: "Served today", queues: "Queues (in order)", nextFrom: "Next call from",
    actions: "Actions", open: "Open", pause: "Pause", close: "Close", editQueues: "Queues…", queueBoard: "Queues",
    queue: "Queue", waiting: "Waiting", longest: "Longest wait", eta: "Est. wait", servedBy: "Windows", minutes: "{n} min",
    nobody: "nobody waiting", fromQueue: "{queue} ({n} waiting)", addQueue: "Add a queue", add: "Add", save: "Save", cancel: "Cancel",
    up: "Up", down: "Down", remove: "Remove", editing: "Queues of window {window}", hallStaff: "Hall staff",
    preview: "Once saved, the next call comes from: {from}", saved: "Window {window} now serves: {queues}.", stateSet: "Window {window} is now {state}.",
    reconnecting: "Connection lost; reconnecting…", notAdmin: "The admin board needs an admin or supervisor account.",
    notOperator: "A supervisor account watches the windows; the hall admin opens, pauses, closes and reassigns them.",
    since: "since {time} ({n} min)", roleSupervisor: "{user} · supervisor (read only)",
    stillServing: "Window {window} still serves a ticket; it can close once that is finished.", emptyQueues: "A window must serve at least one queue.",
    otherFloor: "Choose queues of the window's own floor.", noSuchWindow: "There is no such window.", listedTwice: "A queue can be listed only once.",
    unknownQueue: "There is no such queue; choose again.", windowChanged: "Window {window} changed meanwhile; try again.",
    quotaReached: "{queue} (today's quota reached)",
  },
};
