<?php
/**
 * Cart and Checkout blocks registration: the method is offered in the Checkout block with the same picker.
 *
 * @package Kassa_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

use Automattic\WooCommerce\Blocks\Payments\Integrations\AbstractPaymentMethodType;

/**
 * Kassa for the Checkout block.
 */
final class Kassa_WC_Blocks extends AbstractPaymentMethodType {

	/**
	 * Same as the gateway id.
	 *
	 * @var string
	 */
	protected $name = 'kassa';

	/**
	 * Loads the settings.
	 */
	public function initialize() {
		$this->settings = get_option( 'woocommerce_kassa_settings', array() );
	}

	/**
	 * Active when enabled.
	 *
	 * @return bool
	 */
	public function is_active() {
		return isset( $this->settings['enabled'] ) && 'yes' === $this->settings['enabled'];
	}

	/**
	 * The registration script.
	 *
	 * @return string[]
	 */
	public function get_payment_method_script_handles() {
		wp_register_script(
			'kassa-wc-blocks',
			plugins_url( 'assets/blocks.js', KASSA_WC_FILE ),
			array( 'wc-blocks-registry', 'wc-settings', 'wp-element', 'wp-html-entities' ),
			KASSA_WC_VERSION,
			true
		);
		return array( 'kassa-wc-blocks' );
	}

	/**
	 * Data for the script: title, description and the method list (empty: the gateway's page lets the buyer choose).
	 *
	 * @return array
	 */
	public function get_payment_method_data() {
		$methods = array();
		if ( class_exists( 'Kassa_WC_Gateway' ) && ! is_admin() ) {
			$gateway = new Kassa_WC_Gateway();
			$methods = $gateway->methods( WC()->cart ? WC()->cart->get_total( 'edit' ) : 0, get_woocommerce_currency() );
		}
		return array(
			'title'       => isset( $this->settings['title'] ) ? $this->settings['title'] : 'Kassa',
			'description' => isset( $this->settings['description'] ) ? $this->settings['description'] : '',
			'methods'     => $methods,
			// The picker's words, as the classic checkout says them (translatable).
			'pickerLabel' => __( 'Payment method', 'kassa-woocommerce' ),
			'pickerEmpty' => __( 'Choose on the payment page', 'kassa-woocommerce' ),
			'supports'    => array( 'products' ),
		);
	}
}
