<?php
/**
 * The WooCommerce payment gateway: settings, the redirect to the bridge, refunds and holds forwarded to it.
 * Gateway credentials are sent to the bridge over the signed channel when the settings are saved and are never
 * stored in WordPress nor rendered back in a page.
 *
 * @package Kassa_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * Kassa payment gateway.
 */
class Kassa_WC_Gateway extends WC_Payment_Gateway {

	const ID = 'kassa';

	/**
	 * Settings that are credentials: pushed to the bridge, then blanked.
	 *
	 * @var string[]
	 */
	const CREDENTIALS = array(
		'robokassa_password1',
		'robokassa_password2',
		'robokassa_password3',
		'robokassa_test_password1',
		'robokassa_test_password2',
		'assist_secret_word',
		'assist_password',
	);

	/**
	 * Constructor.
	 */
	public function __construct() {
		$this->id                 = self::ID;
		$this->has_fields         = true;
		$this->method_title       = __( 'Kassa (Robokassa, Assist)', 'kassa-woocommerce' );
		$this->method_description = __( 'Payments through the Kassa bridge: Robokassa or Assist.', 'kassa-woocommerce' );
		$this->supports           = array( 'products', 'refunds' );
		$this->init_form_fields();
		$this->init_settings();
		$this->title       = $this->get_option( 'title' );
		$this->description = $this->get_option( 'description' );
		add_action( 'woocommerce_update_options_payment_gateways_' . $this->id, array( $this, 'process_admin_options' ) );
	}

	/**
	 * The bridge client for these settings.
	 *
	 * @return Kassa_WC_Bridge_Client
	 */
	public function bridge() {
		return new Kassa_WC_Bridge_Client( $this->get_option( 'bridge_url' ), $this->get_option( 'bridge_secret' ) );
	}

	/**
	 * Settings form.
	 */
	public function init_form_fields() {
		$secret = array(
			'type'        => 'password',
			'default'     => '',
			'description' => __( 'Sent to the bridge when you save; never stored here. Leave empty to keep the current value.', 'kassa-woocommerce' ),
		);
		$this->form_fields = array(
			'enabled'                  => array(
				'title'   => __( 'Enable', 'kassa-woocommerce' ),
				'type'    => 'checkbox',
				'label'   => __( 'Enable Kassa', 'kassa-woocommerce' ),
				'default' => 'no',
			),
			'title'                    => array(
				'title'   => __( 'Title', 'kassa-woocommerce' ),
				'type'    => 'text',
				'default' => __( 'Bank card, SBP', 'kassa-woocommerce' ),
			),
			'description'              => array(
				'title'   => __( 'Description', 'kassa-woocommerce' ),
				'type'    => 'textarea',
				'default' => __( 'You will pay on the payment page of the bank.', 'kassa-woocommerce' ),
			),
			'bridge_url'               => array(
				'title'       => __( 'Bridge URL', 'kassa-woocommerce' ),
				'type'        => 'text',
				'description' => __( 'Where the Kassa bridge runs, e.g. https://pay.example.com', 'kassa-woocommerce' ),
				'default'     => '',
			),
			'bridge_secret'            => array(
				'title'       => __( 'Shared secret', 'kassa-woocommerce' ),
				'type'        => 'password',
				'description' => __( 'The same secret as the bridge\'s KASSA_WC_SECRET (at least 16 characters).', 'kassa-woocommerce' ),
				'default'     => '',
			),
			'gateway'                  => array(
				'title'   => __( 'Gateway', 'kassa-woocommerce' ),
				'type'    => 'select',
				'options' => array(
					'robokassa' => 'Robokassa',
					'assist'    => 'Assist',
				),
				'default' => 'robokassa',
			),
			'hold'                     => array(
				'title'   => __( 'Two-stage payments', 'kassa-woocommerce' ),
				'type'    => 'checkbox',
				'label'   => __( 'Hold the money; capture when the order moves to Processing, release when it is cancelled', 'kassa-woocommerce' ),
				'default' => 'no',
			),
			'robokassa_login'          => array(
				'title'   => __( 'Robokassa shop identifier', 'kassa-woocommerce' ),
				'type'    => 'text',
				'default' => '',
			),
			'robokassa_password1'      => array_merge( $secret, array( 'title' => __( 'Robokassa Password #1', 'kassa-woocommerce' ) ) ),
			'robokassa_password2'      => array_merge( $secret, array( 'title' => __( 'Robokassa Password #2', 'kassa-woocommerce' ) ) ),
			'robokassa_password3'      => array_merge( $secret, array( 'title' => __( 'Robokassa Password #3 (refunds)', 'kassa-woocommerce' ) ) ),
			'robokassa_test_password1' => array_merge( $secret, array( 'title' => __( 'Robokassa test Password #1', 'kassa-woocommerce' ) ) ),
			'robokassa_test_password2' => array_merge( $secret, array( 'title' => __( 'Robokassa test Password #2', 'kassa-woocommerce' ) ) ),
			'robokassa_algorithm'      => array(
				'title'   => __( 'Robokassa hash algorithm', 'kassa-woocommerce' ),
				'type'    => 'select',
				'options' => array(
					'md5'       => 'MD5',
					'ripemd160' => 'RIPEMD160',
					'sha1'      => 'SHA1',
					'sha256'    => 'SHA256',
					'sha384'    => 'SHA384',
					'sha512'    => 'SHA512',
				),
				'default' => 'md5',
			),
			'robokassa_test_mode'      => array(
				'title'   => __( 'Robokassa test mode', 'kassa-woocommerce' ),
				'type'    => 'checkbox',
				'default' => 'no',
			),
			'robokassa_certificate'    => array(
				'title'       => __( 'Robokassa ResultUrl2 certificate', 'kassa-woocommerce' ),
				'type'        => 'textarea',
				'description' => __( 'Robokassa\'s jwtsign.cer (PEM): with it, a two-stage payment puts the order on hold at once.', 'kassa-woocommerce' )
					. ' / ' . __( 'Сертификат jwtsign.cer Robokassa: с ним заказ сразу получает статус «На удержании».', 'kassa-woocommerce' ),
				'default'     => '',
			),
			'assist_merchant_id'       => array(
				'title'   => __( 'Assist Merchant_ID', 'kassa-woocommerce' ),
				'type'    => 'text',
				'default' => '',
			),
			'assist_secret_word'       => array_merge( $secret, array( 'title' => __( 'Assist secret word', 'kassa-woocommerce' ) ) ),
			'assist_login'             => array(
				'title'   => __( 'Assist web-service login', 'kassa-woocommerce' ),
				'type'    => 'text',
				'default' => '',
			),
			'assist_password'          => array_merge( $secret, array( 'title' => __( 'Assist web-service password', 'kassa-woocommerce' ) ) ),
			'assist_server'            => array(
				'title'       => __( 'Assist server URL', 'kassa-woocommerce' ),
				'type'        => 'text',
				'description' => __( 'Your Assist server, e.g. https://payments.paysecure.ru', 'kassa-woocommerce' ),
				'default'     => '',
			),
		);
	}

	/**
	 * A password field never shows its value.
	 *
	 * @param string $key  Field key.
	 * @param array  $data Field data.
	 * @return string
	 */
	public function generate_password_html( $key, $data ) {
		$stored = isset( $this->settings[ $key ] ) ? (string) $this->settings[ $key ] : '';
		// Nothing secret goes back into the page: the shared secret is only said to be set, never shown, not even in part.
		$this->settings[ $key ] = '';
		if ( 'bridge_secret' === $key && '' !== $stored ) {
			$data['placeholder'] = __( 'Set. Leave empty to keep it, or type a new one.', 'kassa-woocommerce' );
		}
		$html                   = parent::generate_password_html( $key, $data );
		$this->settings[ $key ] = $stored;
		return $html;
	}

	/**
	 * An empty shared secret field keeps the stored secret (the page never holds it).
	 *
	 * @param string      $key   Field key.
	 * @param string|null $value Posted value.
	 * @return string
	 */
	public function validate_password_field( $key, $value ) {
		$value = parent::validate_password_field( $key, $value );
		if ( 'bridge_secret' === $key && '' === $value ) {
			return (string) $this->get_option( 'bridge_secret' );
		}
		return $value;
	}

	/**
	 * Saves the settings; the gateway credentials go to the bridge (signed) and are not kept here.
	 *
	 * @return bool
	 */
	public function process_admin_options() {
		$saved = parent::process_admin_options();
		$push  = array(
			'gateway' => $this->get_option( 'gateway' ),
			'hold'    => 'yes' === $this->get_option( 'hold' ),
		);
		if ( '' !== $this->get_option( 'robokassa_login' ) ) {
			$push['robokassa'] = array_filter(
				array(
					'login'         => $this->get_option( 'robokassa_login' ),
					'password1'     => $this->get_option( 'robokassa_password1' ),
					'password2'     => $this->get_option( 'robokassa_password2' ),
					'password3'     => $this->get_option( 'robokassa_password3' ),
					'testPassword1' => $this->get_option( 'robokassa_test_password1' ),
					'testPassword2' => $this->get_option( 'robokassa_test_password2' ),
					'algorithm'     => $this->get_option( 'robokassa_algorithm' ),
					'testMode'      => 'yes' === $this->get_option( 'robokassa_test_mode' ),
				),
				static function ( $v ) {
					return '' !== $v;
				}
			);
		}
		// A public certificate, not a secret: kept here so the page shows it, and sent as is (empty clears it).
		$push['robokassaCertificate'] = trim( (string) $this->get_option( 'robokassa_certificate' ) );
		if ( '' !== $this->get_option( 'assist_merchant_id' ) ) {
			$push['assist'] = array_filter(
				array(
					'merchantId' => $this->get_option( 'assist_merchant_id' ),
					'secretWord' => $this->get_option( 'assist_secret_word' ),
					'login'      => $this->get_option( 'assist_login' ),
					'password'   => $this->get_option( 'assist_password' ),
					'baseUrl'    => $this->get_option( 'assist_server' ),
				),
				static function ( $v ) {
					return '' !== $v;
				}
			);
		}
		$result = $this->bridge()->request( 'POST', '/api/settings', $push );
		foreach ( self::CREDENTIALS as $key ) {
			$this->settings[ $key ] = '';
		}
		update_option( $this->get_option_key(), apply_filters( 'woocommerce_settings_api_sanitized_fields_' . $this->id, $this->settings ), 'yes' );
		delete_transient( 'kassa_wc_methods' );
		if ( is_wp_error( $result ) ) {
			WC_Admin_Settings::add_error( __( 'The bridge did not take the settings: ', 'kassa-woocommerce' ) . $result->get_error_message() );
			return false;
		}
		return $saved;
	}

	/**
	 * Methods for the picker, from the bridge's catalog (cached 10 minutes; an empty list lets the gateway's page choose).
	 *
	 * @param float  $amount   Order or cart total.
	 * @param string $currency Currency.
	 * @return array[]
	 */
	public function methods( $amount, $currency ) {
		$cached = get_transient( 'kassa_wc_methods' );
		if ( is_array( $cached ) ) {
			return $cached;
		}
		$answer  = $this->bridge()->request( 'GET', '/api/methods?amount=' . rawurlencode( wc_format_decimal( $amount, 2 ) ) . '&currency=' . rawurlencode( $currency ), null, 3 );
		$methods = is_wp_error( $answer ) || ! isset( $answer['methods'] ) ? array() : $answer['methods'];
		set_transient( 'kassa_wc_methods', $methods, is_wp_error( $answer ) ? 60 : 600 );
		return $methods;
	}

	/**
	 * Classic checkout: the description and the method picker.
	 */
	public function payment_fields() {
		echo wp_kses_post( wpautop( $this->description ) );
		$methods = $this->methods( WC()->cart ? WC()->cart->get_total( 'edit' ) : 0, get_woocommerce_currency() );
		if ( empty( $methods ) ) {
			return;
		}
		echo '<p><label for="kassa_method">' . esc_html__( 'Payment method', 'kassa-woocommerce' ) . '</label> ';
		echo '<select name="kassa_method" id="kassa_method"><option value="">' . esc_html__( 'Choose on the payment page', 'kassa-woocommerce' ) . '</option>';
		foreach ( $methods as $m ) {
			echo '<option value="' . esc_attr( $m['code'] ) . '">' . esc_html( $m['label'] ) . '</option>';
		}
		echo '</select></p>';
	}

	/**
	 * Sends the buyer to the bridge (classic checkout and the Checkout block both call this).
	 *
	 * @param int $order_id Order id.
	 * @return array
	 */
	public function process_payment( $order_id ) {
		$order  = wc_get_order( $order_id );
		$bridge = $this->bridge();
		if ( ! $order || ! $bridge->is_configured() ) {
			wc_add_notice( __( 'This payment method is not available right now.', 'kassa-woocommerce' ), 'error' );
			return array( 'result' => 'failure' );
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- WooCommerce verified the checkout nonce.
		$method = isset( $_POST['kassa_method'] ) ? sanitize_text_field( wp_unslash( $_POST['kassa_method'] ) ) : '';
		$cancel = add_query_arg( 'kassa_declined', '1', $order->get_checkout_payment_url() );
		return array(
			'result'   => 'success',
			'redirect' => $bridge->pay_url( $order, $method, $this->get_return_url( $order ), $cancel ),
		);
	}

	/**
	 * Refund from WP admin: the bridge refunds through the gateway (written ahead in its ledger) and answers.
	 *
	 * @param int        $order_id Order id.
	 * @param float|null $amount   Amount.
	 * @param string     $reason   Reason.
	 * @return bool|WP_Error
	 */
	public function process_refund( $order_id, $amount = null, $reason = '' ) {
		$order = wc_get_order( $order_id );
		if ( ! $order ) {
			return new WP_Error( 'kassa_refund', __( 'Order not found.', 'kassa-woocommerce' ) );
		}
		$answer = $this->bridge()->request(
			'POST',
			'/api/refund',
			array(
				'orderId' => $order->get_id(),
				'amount'  => wc_format_decimal( null === $amount ? $order->get_remaining_refund_amount() : $amount, 2 ),
				'reason'  => (string) $reason,
			),
			30
		);
		if ( is_wp_error( $answer ) ) {
			return new WP_Error( 'kassa_refund', __( 'Refund refused: ', 'kassa-woocommerce' ) . $answer->get_error_message() );
		}
		return true;
	}

	/**
	 * The order moved from on-hold to processing/completed: capture the held payment.
	 *
	 * @param int $order_id Order id.
	 */
	public static function capture_hold( $order_id ) {
		self::hold_operation( $order_id, '/api/capture' );
	}

	/**
	 * The held order was cancelled: release the money.
	 *
	 * @param int $order_id Order id.
	 */
	public static function cancel_hold( $order_id ) {
		self::hold_operation( $order_id, '/api/cancel' );
	}

	/**
	 * Forwards a hold operation for one of our orders.
	 *
	 * @param int    $order_id Order id.
	 * @param string $path     Bridge path.
	 */
	private static function hold_operation( $order_id, $path ) {
		$order = wc_get_order( $order_id );
		if ( ! $order || self::ID !== $order->get_payment_method() || 'yes' !== $order->get_meta( '_kassa_held' ) ) {
			return;
		}
		$gateway = new self();
		$answer  = $gateway->bridge()->request( 'POST', $path, array( 'orderId' => $order->get_id() ), 30 );
		if ( is_wp_error( $answer ) ) {
			$order->add_order_note( __( 'Kassa: the hold operation failed: ', 'kassa-woocommerce' ) . $answer->get_error_message() );
		}
	}

	/**
	 * Back from a declined payment: tell the buyer on the order-pay page (the order stays payable).
	 */
	public static function declined_notice() {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a display flag only.
		if ( isset( $_GET['kassa_declined'] ) && function_exists( 'is_checkout_pay_page' ) && is_checkout_pay_page() && function_exists( 'wc_add_notice' ) ) {
			wc_add_notice( __( 'The payment did not go through. You can try again.', 'kassa-woocommerce' ), 'error' );
		}
	}
}
