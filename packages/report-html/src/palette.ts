/**
 * Okabe and Ito's palette, chosen so that readers with any common colour-vision deficiency can
 * still tell every series apart.
 */
export const PALETTE = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const

export const OKABE_ITO = [
  PALETTE.black,
  PALETTE.orange,
  PALETTE.skyBlue,
  PALETTE.bluishGreen,
  PALETTE.yellow,
  PALETTE.blue,
  PALETTE.vermillion,
  PALETTE.reddishPurple,
] as const

/**
 * Black is left to text and axes, so that no series can be mistaken for an axis, and yellow comes
 * last because it is the hardest to see on the white card behind each chart.
 */
export const SERIES_COLOURS = [
  PALETTE.blue,
  PALETTE.orange,
  PALETTE.bluishGreen,
  PALETTE.vermillion,
  PALETTE.reddishPurple,
  PALETTE.skyBlue,
  PALETTE.yellow,
]
