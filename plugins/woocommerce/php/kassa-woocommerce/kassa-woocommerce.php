<?php
/**
 * Plugin Name: Kassa for WooCommerce (Robokassa, Assist)
 * Description: Robokassa and Assist payments through the Kassa bridge: signing, notifications, refunds and holds run in the bridge; this plugin only sends the buyer there and forwards refunds.
 * Version: 0.1.0
 * Requires at least: 6.5
 * Requires PHP: 7.4
 * Requires Plugins: woocommerce
 * WC requires at least: 8.0
 * WC tested up to: 9.4
 * Author: Kassa
 * License: MIT
 * Text Domain: kassa-woocommerce
 *
 * @package Kassa_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

define( 'KASSA_WC_VERSION', '0.1.0' );
define( 'KASSA_WC_FILE', __FILE__ );

add_action(
	'before_woocommerce_init',
	static function () {
		if ( class_exists( \Automattic\WooCommerce\Utilities\FeaturesUtil::class ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', __FILE__, true );
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'cart_checkout_blocks', __FILE__, true );
		}
	}
);

add_action(
	'plugins_loaded',
	static function () {
		if ( ! class_exists( 'WC_Payment_Gateway' ) ) {
			return;
		}
		require_once __DIR__ . '/includes/class-kassa-wc-bridge-client.php';
		require_once __DIR__ . '/includes/class-kassa-wc-gateway.php';
		add_filter(
			'woocommerce_payment_gateways',
			static function ( $gateways ) {
				$gateways[] = 'Kassa_WC_Gateway';
				return $gateways;
			}
		);
		// A held payment is captured when the merchant moves the order on, released when it is cancelled.
		add_action( 'woocommerce_order_status_on-hold_to_processing', array( 'Kassa_WC_Gateway', 'capture_hold' ) );
		add_action( 'woocommerce_order_status_on-hold_to_completed', array( 'Kassa_WC_Gateway', 'capture_hold' ) );
		add_action( 'woocommerce_order_status_on-hold_to_cancelled', array( 'Kassa_WC_Gateway', 'cancel_hold' ) );
		add_action( 'template_redirect', array( 'Kassa_WC_Gateway', 'declined_notice' ) );
	}
);

add_action(
	'woocommerce_blocks_loaded',
	static function () {
		if ( ! class_exists( \Automattic\WooCommerce\Blocks\Payments\Integrations\AbstractPaymentMethodType::class ) ) {
			return;
		}
		require_once __DIR__ . '/includes/class-kassa-wc-blocks.php';
		add_action(
			'woocommerce_blocks_payment_method_type_registration',
			static function ( $registry ) {
				$registry->register( new Kassa_WC_Blocks() );
			}
		);
	}
);
