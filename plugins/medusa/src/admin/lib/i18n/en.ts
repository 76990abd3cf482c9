/**
 * English messages of the admin extensions. This catalog defines the keys: `ru.ts` must have exactly the same ones
 * (the type says so, and test/admin-i18n.test.ts checks that no message is empty). `{name}` is a placeholder.
 */
export const en = {
  // Gateways
  'gateway.robokassa': 'Robokassa',
  'gateway.assist': 'Assist',

  // Ledger states, in the merchant's words
  'state.pending': 'awaiting payment',
  'state.held': 'on hold',
  'state.paid': 'paid',
  'state.cancelled': 'cancelled',
  'state.failed': 'failed',
  'state.refund_requested': 'refund in progress',
  'state.partially_refunded': 'partially refunded',
  'state.refunded': 'refunded',
  'state.unknown': 'unknown state ({state})',

  // Flags the payments list adds on top of the state
  'flag.paid_twice': 'paid twice — refund',
  'flag.refused': 'paid, but refused',
  'flag.unsettled': 'paid, order not created yet',
  'flag.test': 'test payment',

  // Payment methods
  'method.card': 'Bank card',
  'method.sbp': 'SBP (Faster Payments)',
  'method.emoney': 'E-money',
  'method.mobile': 'Mobile phone balance',
  'method.sberpay': 'SberPay',
  'method.tpay': 'T-Pay',
  'method.yandexpay': 'Yandex Pay',
  'method.mirpay': 'Mir Pay',
  'method.applepay': 'Apple Pay',
  'method.googlepay': 'Google Pay',
  'method.samsungpay': 'Samsung Pay',
  'method.installments': 'Installments',
  'method.none': '—',

  // Modes
  'mode.sandbox': 'Sandbox',
  'mode.test': 'Test mode',
  'mode.live': 'Live',
  'mode.sandbox.hint': 'Payments go to a sandbox at {host}, not to the real gateway: no money moves.',
  'mode.test.hint': 'Test payments on the real gateway: no money moves.',
  'mode.live.hint': 'Real payments: buyers are charged.',

  // Widget
  'widget.invoice': 'Invoice {id}',
  'widget.amount': 'Amount',
  'widget.method': 'Method',
  'widget.fee': 'Gateway fee',
  'widget.refunded': 'Refunded',
  'widget.remaining': 'Can be refunded',
  'widget.refresh': 'Refresh',
  'widget.refreshing': 'Asking {gateway}…',
  'widget.refreshed.changed': 'Updated: now {state}.',
  'widget.refreshed.same': '{gateway} reports no change.',
  'widget.refund.title': 'Refund',
  'widget.refund.amount': 'Amount to refund',
  'widget.refund.placeholder': 'e.g. {example}',
  'widget.refund.note': 'Note (kept with the refund)',
  'widget.refund.submit': 'Refund…',
  'widget.refund.confirm.title': 'Refund {amount}?',
  'widget.refund.confirm.body':
    '{amount} of the {total} paid for invoice {id} goes back to the buyer through {gateway}. This cannot be undone.',
  'widget.refund.confirm.ok': 'Refund',
  'widget.refund.confirm.cancel': 'Cancel',
  'widget.refund.done': '{amount} refunded.',
  'widget.refund.nothing_left': 'Everything paid has been refunded.',
  'widget.load_failed': 'The {gateway} payments of this order could not be loaded. {reason}',

  // Refund amount input
  'refund.error.empty': 'Enter the amount to refund.',
  'refund.error.format': 'Enter an amount like 100 or 100,50.',
  'refund.error.zero': 'The amount must be more than zero.',
  'refund.error.too_much': 'At most {remaining} can be refunded.',

  // Settings page
  'settings.title': 'Payment gateways',
  'settings.subtitle': 'The addresses to paste into the gateway’s cabinet, the mode, and a check of the credentials.',
  'settings.not_configured': '{gateway} is not configured in medusa-config (the provider is missing).',
  'settings.urls.intro.robokassa': 'Paste these into the Robokassa cabinet, «Технические настройки» of shop {login}:',
  'settings.urls.intro.assist': 'Paste these into the Assist cabinet («Настройки магазина») of merchant {login}:',
  'settings.urls.field': 'Field',
  'settings.urls.url': 'Address',
  'settings.urls.method': 'Method',
  'settings.urls.copy': 'Copy',
  'settings.urls.returns_sent': 'Every payment sends its return addresses itself: the cabinet’s are only a fallback.',
  'settings.urls.private':
    'The gateway cannot reach {host}: it is a local or private address. Set `backendUrl` in medusa-config to the shop’s public https address.',
  'settings.url.result': 'Result URL',
  'settings.url.result2': 'ResultUrl2 (sent with each payment, not a cabinet field)',
  'settings.url.success': 'Success URL',
  'settings.url.fail': 'Fail URL',
  'settings.url.notification': 'Notification URL (URL для уведомлений)',
  'settings.url.return_ok': 'Return URL after payment (URL_RETURN_OK)',
  'settings.url.return_no': 'Return URL after a decline (URL_RETURN_NO)',
  'settings.gateway_address': 'Gateway address',
  'settings.algorithm': 'Hash algorithm',
  'settings.country': 'Country',
  'settings.payments': 'Payments',
  'settings.payments.hold': 'held, captured from the order',
  'settings.payments.capture': 'captured at once',
  'settings.receipts': 'Receipts (54-FZ)',
  'settings.receipts.on': 'on (tax system: {sno})',
  'settings.receipts.cabinet': 'the cabinet’s',
  'settings.receipts.off': 'off',
  'settings.refund_api': 'Refund API (Password #3)',
  'settings.test_passwords': 'Test passwords',
  'settings.configured': 'set',
  'settings.not_set': 'not set',
  'settings.checkvalue_mode': 'Checkvalue delimiter',
  'settings.web_service': 'Web-service login',
  'settings.check': 'Check credentials',
  'settings.check.ok': 'Credentials work',
  'settings.check.failed': 'Credentials do not work',
  'settings.check.proved': 'Proved: {what}.',
  'settings.check.unproven': 'Could not be checked from here: {what}. {why}',
  'settings.check.unproven.robokassa':
    'Password #1 is checked by Robokassa’s payment page (make a test payment); Password #3 by the first refund.',
  'settings.check.unproven.assist':
    'The secret word is checked by the payment page and by notifications (make a test payment).',
  'settings.load_failed': 'The settings could not be loaded. {reason}',

  'secret.shop identifier': 'the shop identifier',
  'secret.Password #2 and the hash algorithm': 'Password #2 and the hash algorithm',
  'secret.Password #1': 'Password #1',
  'secret.Password #3': 'Password #3',
  'secret.test Password #1': 'test Password #1',
  'secret.test Password #2': 'test Password #2',
  'secret.merchant id, web-service login and password': 'the merchant id, the web-service login and password',
  'secret.web-service login and password': 'the web-service login and password',
  'secret.secret word and checkvalue mode': 'the secret word and the checkvalue mode',
  'secret.secret word': 'the secret word',

  // Credentials verdicts
  'verdict.ok': 'works',
  'verdict.wrong_merchant.robokassa': 'The gateway does not know this shop identifier. Copy it from the cabinet.',
  'verdict.wrong_merchant.assist': 'Assist does not know this merchant id (Merchant_ID). Copy it from the cabinet.',
  'verdict.wrong_secret.robokassa':
    'Password #2 or the hash algorithm does not match the cabinet. Enter them again in the plugin options.',
  'verdict.wrong_secret.assist': 'The secret word does not match the cabinet. Enter it again in the plugin options.',
  'verdict.wrong_api_login':
    'The web-service login or password is wrong or missing: refunds, holds and status checks need them. Copy them from the cabinet («Пользователи»).',
  'verdict.test_credentials_missing': 'Test mode is on but the test passwords are not set. Add them to the options.',
  'verdict.unreachable':
    'The gateway could not be reached from this server. Check the gateway address and the server’s internet access.',
  'verdict.unexpected': 'The gateway gave an answer the plugin does not understand. Try again in a minute.',

  // Payments page
  'payments.title': 'Payments',
  'payments.subtitle': 'Every invoice the shop issued, whatever became of it.',
  'payments.filter.state': 'State',
  'payments.filter.gateway': 'Gateway',
  'payments.filter.from': 'From',
  'payments.filter.to': 'To',
  'payments.filter.all': 'All',
  'payments.filter.attention': 'Needs attention',
  'payments.filter.reset': 'Reset',
  'payments.col.invoice': 'Invoice',
  'payments.col.gateway': 'Gateway',
  'payments.col.state': 'State',
  'payments.col.amount': 'Amount',
  'payments.col.refunded': 'Refunded',
  'payments.col.order': 'Order',
  'payments.col.created': 'Created',
  'payments.col.updated': 'Updated',
  'payments.no_order': 'no order',
  'payments.open_order': 'Open order',
  'payments.surplus.refund': 'Refund',
  'payments.surplus.confirm.title': 'Refund {amount} to the buyer?',
  'payments.surplus.confirm.body':
    'Invoice {id} was paid although its cart was already paid or had changed. The whole {amount} goes back through {gateway}; the order is not touched.',
  'payments.surplus.done': '{amount} of invoice {id} refunded.',
  'payments.empty': 'No invoices match these filters.',
  'payments.more': 'Show more',
  'payments.count': '{shown} of {total}',
  'payments.load_failed': 'The payments could not be loaded. {reason}',
  'payments.route_missing':
    'The payments list is not available on this server: update @kassa/medusa and restart Medusa.',
  'health.title': 'Notifications from {gateway}',
  'health.last': 'Last received',
  'health.never': 'never',
  'health.failures': 'Refused in the last 24 h',
  'health.ok': 'Notifications arrive.',
  'health.none': 'No notification has arrived yet. Check the Result URL in the cabinet.',
  'health.failing': 'Some notifications were refused. Check the passwords and the Result URL.',
  'instances.in_memory':
    '{count} Medusa instances share this database, but their locking is in-memory: Medusa’s cart and payment locks do not reach the other instances. Configure a shared locking provider (Redis or PostgreSQL) in medusa-config on every instance, see the plugin’s README “Several Medusa instances”.',

  // Errors (the API's stable codes)
  'error.network': 'The server did not answer. Check the connection and try again.',
  'error.session': 'Your admin session has ended. Log in again.',
  'error.forbidden': 'Your account may not do this.',
  'error.not_found': 'Not found: it may have been deleted. Reload the page.',
  'error.server': 'The server failed ({status}). Try again; if it repeats, look at the Medusa log.',
  'error.bad_request': 'The server refused the request. Reload the page and try again.',
  'error.unknown': 'Something went wrong: {message}',
  'error.PASSWORD3_MISSING':
    'Refunds through Robokassa need Password #3. Add `password3` to the plugin options, or refund in the Robokassa cabinet.',
  'error.REFUND_REJECTED':
    'The gateway refused the refund. Check the amount against what is left, or refund in the gateway’s cabinet.',
  'error.HOLD_REJECTED': 'The gateway refused to capture or release the hold. Look at the payment in the cabinet.',
  'error.GATEWAY_BAD_RESPONSE':
    'The gateway answered something unexpected. Nothing was changed; try again in a minute.',
  'error.GATEWAY_UNREACHABLE': 'The gateway could not be reached. Nothing was changed; try again in a minute.',
  'error.GATEWAY_TIMEOUT': 'The gateway did not answer in time. Refresh in a minute to see whether it went through.',
  'error.LEDGER_CONFLICT': 'Someone else changed this payment at the same moment. Refresh and try again.',
  'error.INVALID_TRANSITION': 'This payment cannot do that in its current state. Refresh to see its state.',
  'error.GATEWAY_HTTP_ERROR': 'The gateway answered with an error. Nothing was changed; try again in a minute.',
  'error.GATEWAY_RESULT_CODE':
    'The gateway refused the operation. Look at the payment in the gateway’s cabinet, then refresh.',
  'error.MONEY': 'The amount is not valid. Enter an amount like 100 or 100,50.',
  'error.ASSIST_CREDENTIALS_MISSING':
    'Assist web services need the login and password. Add them to the plugin options, or act in the Assist cabinet.',
  'error.ASSIST_GATEWAY_ERROR': 'Assist answered with an error. Nothing was changed; try again in a minute.',
  'error.ASSIST_OPERATION_REJECTED':
    'Assist refused the operation. Check the amount against what is left, or act in the Assist cabinet.',
  'error.CONFIG_INVALID': 'The plugin options in medusa-config are not valid. Look at the Medusa log at start-up.',
  'error.TEST_PASSWORDS_MISSING': 'Test mode is on but the test passwords are not set. Add them to the options.',
} as const;

export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, string>;
