<?php
/**
 * The authenticated channel to the Kassa bridge: every request is signed with HMAC-SHA256 over
 * "timestamp.METHOD.path.body" with the shared secret; the bridge refuses anything else and anything older than 5 minutes.
 *
 * @package Kassa_WooCommerce
 */

defined( 'ABSPATH' ) || exit;

/**
 * Signs and sends requests to the bridge.
 */
class Kassa_WC_Bridge_Client {

	/**
	 * Bridge base URL without a trailing slash.
	 *
	 * @var string
	 */
	private $url;

	/**
	 * Shared secret.
	 *
	 * @var string
	 */
	private $secret;

	/**
	 * Constructor.
	 *
	 * @param string $url    Bridge URL.
	 * @param string $secret Shared secret.
	 */
	public function __construct( $url, $secret ) {
		$this->url    = untrailingslashit( (string) $url );
		$this->secret = (string) $secret;
	}

	/**
	 * Whether the bridge URL and secret are set.
	 *
	 * @return bool
	 */
	public function is_configured() {
		return '' !== $this->url && strlen( $this->secret ) >= 16;
	}

	/**
	 * Bridge URL.
	 *
	 * @return string
	 */
	public function url() {
		return $this->url;
	}

	/**
	 * Sends a signed JSON request; returns the decoded answer or a WP_Error with the bridge's message.
	 *
	 * @param string     $method  GET or POST.
	 * @param string     $path    Path starting with a slash (query string allowed).
	 * @param array|null $payload JSON body for POST.
	 * @param int        $timeout Seconds.
	 * @return array|WP_Error
	 */
	public function request( $method, $path, $payload = null, $timeout = 15 ) {
		if ( ! $this->is_configured() ) {
			return new WP_Error( 'kassa_not_configured', __( 'The Kassa bridge URL and shared secret are not set.', 'kassa-woocommerce' ) );
		}
		$body      = null === $payload ? '' : wp_json_encode( $payload );
		$timestamp = (string) time();
		$signature = hash_hmac( 'sha256', $timestamp . '.' . $method . '.' . $path . '.' . $body, $this->secret );
		$response  = wp_remote_request(
			$this->url . $path,
			array(
				'method'  => $method,
				'timeout' => $timeout,
				'headers' => array(
					'Content-Type'      => 'application/json',
					'X-Kassa-Timestamp' => $timestamp,
					'X-Kassa-Signature' => $signature,
				),
				'body'    => '' === $body ? null : $body,
			)
		);
		if ( is_wp_error( $response ) ) {
			return new WP_Error( 'kassa_bridge_unreachable', __( 'The Kassa bridge could not be reached.', 'kassa-woocommerce' ) );
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		$data   = json_decode( wp_remote_retrieve_body( $response ), true );
		if ( $status < 200 || $status >= 300 || ! is_array( $data ) ) {
			$message = is_array( $data ) && isset( $data['message'] ) ? (string) $data['message'] : 'HTTP ' . $status;
			return new WP_Error( is_array( $data ) && isset( $data['error'] ) ? (string) $data['error'] : 'kassa_bridge_error', $message );
		}
		return $data;
	}

	/**
	 * The signed link that sends the buyer to the bridge's /pay/{order} page.
	 *
	 * @param WC_Order $order      Order.
	 * @param string   $method     Pre-selected payment method ('' for none).
	 * @param string   $return_url Where the buyer lands after paying.
	 * @param string   $cancel_url Where the buyer goes back to when the payment fails.
	 * @return string
	 */
	public function pay_url( $order, $method, $return_url, $cancel_url ) {
		$params = array(
			'key'    => $order->get_order_key(),
			'method' => (string) $method,
			'return' => $return_url,
			'cancel' => $cancel_url,
			'ts'     => (string) time(),
		);
		$query  = http_build_query( $params, '', '&', PHP_QUERY_RFC3986 );
		$path   = '/pay/' . $order->get_id();
		$sig    = hash_hmac( 'sha256', 'pay.' . $path . '?' . $query, $this->secret );
		return $this->url . $path . '?' . $query . '&sig=' . $sig;
	}
}
