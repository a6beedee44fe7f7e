; A single flat 1024 x 1024 panel with 75 um pixels, normal to the beam, 0.25 m from the sample.
; The beam hits the panel at fs = 512.3, ss = 511.7 pixels from the first pixel's outer corner.
photon_energy = 9000
data = /entry_1/data_1/data

panel/min_fs = 0
panel/max_fs = 1023
panel/min_ss = 0
panel/max_ss = 1023
panel/fs = +1.0x +0.0y
panel/ss = +0.0x +1.0y
panel/corner_x = -512.3
panel/corner_y = -511.7
panel/res = 13333.333333333334
panel/clen = 0.25
panel/coffset = 0.0
panel/max_adu = 65535
