/* Kassa in the Checkout block: no build step, plain wp.element. */
(() => {
  var registry = window.wc?.wcBlocksRegistry;
  var wcSettings = window.wc?.wcSettings;
  // WooCommerce 9.x keeps it in paymentMethodData (getPaymentMethodData); older releases as the `kassa_data` setting.
  var settings =
    wcSettings?.getPaymentMethodData?.('kassa') || (wcSettings ? wcSettings.getSetting('kassa_data', {}) : {});
  var el = window.wp.element.createElement;
  var useState = window.wp.element.useState;
  var useEffect = window.wp.element.useEffect;
  var decode = window.wp.htmlEntities ? window.wp.htmlEntities.decodeEntities : (s) => s;
  var title = decode(settings.title || 'Kassa');
  var methods = settings.methods || [];

  function Content(props) {
    var state = useState('');
    var method = state[0];
    var setMethod = state[1];
    var onPaymentSetup = props.eventRegistration.onPaymentSetup;
    useEffect(
      () =>
        onPaymentSetup(() => ({
          type: props.emitResponse.responseTypes.SUCCESS,
          meta: { paymentMethodData: { kassa_method: method } },
        })),
      [onPaymentSetup, method],
    );
    var children = [el('p', { key: 'd' }, decode(settings.description || ''))];
    if (methods.length > 0) {
      children.push(
        el('label', { key: 'l', htmlFor: 'kassa-method' }, `${decode(settings.pickerLabel || 'Payment method')} `),
        el(
          'select',
          {
            key: 's',
            id: 'kassa-method',
            value: method,
            onChange: (e) => {
              setMethod(e.target.value);
            },
          },
          [el('option', { key: '', value: '' }, decode(settings.pickerEmpty || '—'))].concat(
            methods.map((m) => el('option', { key: m.code, value: m.code }, m.label)),
          ),
        ),
      );
    }
    return el('div', { className: 'kassa-payment' }, children);
  }

  registry.registerPaymentMethod({
    name: 'kassa',
    label: el('span', null, title),
    ariaLabel: title,
    content: el(Content),
    edit: el('div', null, title),
    canMakePayment: () => true,
    supports: { features: settings.supports || ['products'] },
  });
})();
